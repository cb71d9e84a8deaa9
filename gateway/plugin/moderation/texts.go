package moderation

import (
	"slices"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/plugin"
)

// collectStrings appends every string leaf of v in a stable order: map keys
// sorted, slices in order. replaceStrings walks in the same order.
func collectStrings(v any, out []string) []string {
	switch t := v.(type) {
	case string:
		return append(out, t)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = collectStrings(t[k], out)
		}
	case []any:
		for _, e := range t {
			out = collectStrings(e, out)
		}
	}
	return out
}

// replacer hands out replacement strings in collection order.
type replacer struct {
	texts []string
	next  int
}

func (r *replacer) take(orig string) string {
	if r.next >= len(r.texts) {
		return orig
	}
	s := r.texts[r.next]
	r.next++
	return s
}

// replaceStrings returns a deep copy of v with string leaves replaced.
func replaceStrings(v any, r *replacer) any {
	switch t := v.(type) {
	case string:
		return r.take(t)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		cp := make(map[string]any, len(t))
		for _, k := range keys {
			cp[k] = replaceStrings(t[k], r)
		}
		return cp
	case []any:
		cp := make([]any, len(t))
		for i, e := range t {
			cp[i] = replaceStrings(e, r)
		}
		return cp
	}
	return v
}

// outcomeTexts lists the moderatable text of an outcome: text content,
// then structured content strings (which would otherwise leak what the text
// redaction removed), text resource contents, prompt message texts.
func outcomeTexts(out *plugin.Outcome) []string {
	var texts []string
	switch {
	case out.Tool != nil:
		for _, c := range out.Tool.Content {
			if tc, ok := mcp.AsTextContent(c); ok {
				texts = append(texts, tc.Text)
			}
		}
		texts = collectStrings(out.Tool.StructuredContent, texts)
	case out.Resource != nil:
		for _, c := range out.Resource {
			if tc, ok := mcp.AsTextResourceContents(c); ok {
				texts = append(texts, tc.Text)
			}
		}
	case out.Prompt != nil:
		for _, m := range out.Prompt.Messages {
			if tc, ok := mcp.AsTextContent(m.Content); ok {
				texts = append(texts, tc.Text)
			}
		}
	}
	return texts
}

// redactOutcome copies out with its texts replaced, in outcomeTexts order.
func redactOutcome(out *plugin.Outcome, texts []string) *plugin.Outcome {
	r := &replacer{texts: texts}
	cp := *out
	switch {
	case out.Tool != nil:
		res := *out.Tool
		res.Content = make([]mcp.Content, len(out.Tool.Content))
		for i, c := range out.Tool.Content {
			if tc, ok := mcp.AsTextContent(c); ok {
				n := *tc
				n.Text = r.take(tc.Text)
				res.Content[i] = n
				continue
			}
			res.Content[i] = c
		}
		if out.Tool.StructuredContent != nil {
			res.StructuredContent = replaceStrings(out.Tool.StructuredContent, r)
			res.RawStructuredContent = nil
		}
		cp.Tool = &res
	case out.Resource != nil:
		cp.Resource = make([]mcp.ResourceContents, len(out.Resource))
		for i, c := range out.Resource {
			if tc, ok := mcp.AsTextResourceContents(c); ok {
				n := *tc
				n.Text = r.take(tc.Text)
				cp.Resource[i] = n
				continue
			}
			cp.Resource[i] = c
		}
	case out.Prompt != nil:
		res := *out.Prompt
		res.Messages = make([]mcp.PromptMessage, len(out.Prompt.Messages))
		for i, m := range out.Prompt.Messages {
			if tc, ok := mcp.AsTextContent(m.Content); ok {
				n := *tc
				n.Text = r.take(tc.Text)
				m.Content = n
			}
			res.Messages[i] = m
		}
		cp.Prompt = &res
	}
	return &cp
}
