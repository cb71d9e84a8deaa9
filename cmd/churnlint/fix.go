package main

import (
	"bytes"
	"fmt"
	"go/format"
	"io"
	"os"
	"slices"
	"sort"

	udiff "github.com/aymanbagabas/go-udiff"
	"golang.org/x/tools/go/analysis"
)

// edit replaces bytes [start, end) of a file.
type edit struct {
	start, end int
	text       string
}

// applyFixes applies the first suggested fix of every diagnostic, as the
// go command's -fix does: a fix is applied whole or not at all, identical
// edits from several fixes merge (two findings adding the same import), and
// a fix that overlaps one already taken is left for the next run. Files are
// gofmt'ed after editing when they were before. With diff, nothing is
// written and a unified diff goes to w. It returns the diagnostics whose
// fix was applied.
func applyFixes(results []*pkgResult, diff bool, w io.Writer) (map[*analysis.Diagnostic]bool, error) {
	applied := make(map[*analysis.Diagnostic]bool)
	accepted := make(map[string][]edit) // by file
	original := make(map[string][]byte)
	seen := make(map[string]bool) // a diagnostic reported twice (test variants) is fixed once

	for _, r := range results {
		for i := range r.Diags {
			d := &r.Diags[i].Diagnostic
			if len(d.SuggestedFixes) == 0 {
				continue
			}
			key := fmt.Sprint(r.Fset.Position(d.Pos), d.Message)
			if seen[key] {
				applied[d] = true
				continue
			}
			byFile := make(map[string][]edit)
			ok := true
			for _, te := range d.SuggestedFixes[0].TextEdits {
				tf := r.Fset.File(te.Pos)
				if tf == nil {
					ok = false
					break
				}
				name := tf.Name()
				if _, read := original[name]; !read {
					data, err := os.ReadFile(name)
					if err != nil {
						return nil, err
					}
					if len(data) != tf.Size() {
						return nil, fmt.Errorf("%s changed while churnlint ran; not fixing it", name)
					}
					original[name] = data
				}
				end := te.End
				if !end.IsValid() {
					end = te.Pos
				}
				byFile[name] = append(byFile[name], edit{tf.Offset(te.Pos), tf.Offset(end), string(te.NewText)})
			}
			if !ok {
				continue
			}
			merged := make(map[string][]edit)
			for name, edits := range byFile {
				m, ok2 := mergeEdits(accepted[name], edits)
				if !ok2 {
					ok = false
					break
				}
				merged[name] = m
			}
			if !ok {
				continue // conflicts with a fix already taken
			}
			for name, m := range merged {
				accepted[name] = m
			}
			applied[d] = true
			seen[key] = true
		}
	}

	names := make([]string, 0, len(accepted))
	for name := range accepted {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		before := original[name]
		after := applyEdits(before, accepted[name])
		if wasFormatted(before) {
			if formatted, err := format.Source(after); err == nil {
				after = formatted
			}
		}
		if diff {
			fmt.Fprint(w, udiff.Unified(name+" (old)", name+" (new)", string(before), string(after)))
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(name, after, info.Mode().Perm()); err != nil {
			return nil, err
		}
	}
	return applied, nil
}

// mergeEdits adds edits to a file's accepted ones, or reports a conflict.
func mergeEdits(accepted, edits []edit) ([]edit, bool) {
	out := slices.Clone(accepted)
	for _, e := range edits {
		if slices.Contains(out, e) {
			continue
		}
		for _, a := range out {
			overlap := e.start < a.end && a.start < e.end
			samePoint := e.start == e.end && a.start == a.end && e.start == a.start
			if overlap || samePoint || (e.start == e.end && a.start < e.start && e.start < a.end) {
				return nil, false
			}
		}
		out = append(out, e)
	}
	return out, true
}

func applyEdits(src []byte, edits []edit) []byte {
	edits = slices.Clone(edits)
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b bytes.Buffer
	last := 0
	for _, e := range edits {
		b.Write(src[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.Write(src[last:])
	return b.Bytes()
}

func wasFormatted(src []byte) bool {
	f, err := format.Source(src)
	return err == nil && bytes.Equal(f, src)
}
