package plugin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
)

// fake is a scriptable plugin that records what it saw.
type fake struct {
	name             string
	pre, post        Verdict
	preErr, postErr  error
	initErr          error
	inits, shutdowns int
	sawArgs          []map[string]any
	sawOutcomeTexts  []string
}

func (f *fake) Name() string                   { return f.name }
func (f *fake) Init(context.Context) error     { f.inits++; return f.initErr }
func (f *fake) Shutdown(context.Context) error { f.shutdowns++; return nil }
func (f *fake) PreCall(_ context.Context, c *Call) (Verdict, error) {
	f.sawArgs = append(f.sawArgs, c.Arguments)
	return f.pre, f.preErr
}
func (f *fake) PostCall(_ context.Context, _ *Call, out *Outcome) (Verdict, error) {
	if out.Tool != nil {
		tc, _ := mcp.AsTextContent(out.Tool.Content[0])
		f.sawOutcomeTexts = append(f.sawOutcomeTexts, tc.Text)
	}
	return f.post, f.postErr
}

func chain(m *metrics.Metrics, entries ...Entry) *Chain {
	return NewChain(entries, m, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func enforce(p Plugin) Entry {
	return Entry{Plugin: p, Mode: config.ModeEnforce, OnError: config.OnErrorFail}
}
func permissive(p Plugin) Entry {
	return Entry{Plugin: p, Mode: config.ModePermissive, OnError: config.OnErrorFail}
}

func call() *Call {
	return &Call{Kind: KindTool, Upstream: "u", Name: "u__t", Target: "t", Arguments: map[string]any{"a": "1"}}
}

func TestEnforceBlock(t *testing.T) {
	m := metrics.New()
	blocker := &fake{name: "b", pre: Verdict{Action: Block, Reason: "nope"}}
	after := &fake{name: "after"}
	_, err := chain(m, enforce(blocker), enforce(after)).Pre(context.Background(), call())
	var be *BlockedError
	if !errors.As(err, &be) || be.Plugin != "b" || be.Reason != "nope" {
		t.Fatalf("err = %v", err)
	}
	if len(after.sawArgs) != 0 {
		t.Fatal("chain continued after a block")
	}
	if v := testutil.ToFloat64(m.PluginVerdicts.WithLabelValues("b", "pre", "block")); v != 1 {
		t.Fatalf("verdict metric = %v", v)
	}
}

func TestPermissiveNeverChangesOrFails(t *testing.T) {
	m := metrics.New()
	p := &fake{name: "p", pre: Verdict{Action: Block}, post: Verdict{Action: Modify, Outcome: &Outcome{}}, postErr: nil}
	e := &fake{name: "e", preErr: errors.New("boom")}
	c := chain(m, permissive(p), permissive(e))
	got, err := c.Pre(context.Background(), call())
	if err != nil || got.Arguments["a"] != "1" {
		t.Fatalf("permissive pre: %v %+v", err, got)
	}
	out := &Outcome{Tool: mcp.NewToolResultText("x")}
	res, err := c.Post(context.Background(), call(), out)
	if err != nil || res != out {
		t.Fatalf("permissive post changed the outcome: %v", err)
	}
	if v := testutil.ToFloat64(m.PluginVerdicts.WithLabelValues("p", "pre", "would_block")); v != 1 {
		t.Fatalf("would_block = %v", v)
	}
	if v := testutil.ToFloat64(m.PluginVerdicts.WithLabelValues("e", "pre", "error")); v != 1 {
		t.Fatalf("error = %v", v)
	}
}

func TestOnErrorPolicy(t *testing.T) {
	m := metrics.New()
	failing := &fake{name: "f", preErr: errors.New("down")}
	_, err := chain(m, enforce(failing)).Pre(context.Background(), call())
	var fe *FailedError
	if !errors.As(err, &fe) || fe.Plugin != "f" || fe.Hook != "pre" {
		t.Fatalf("fail policy: %v", err)
	}
	ignore := Entry{Plugin: failing, Mode: config.ModeEnforce, OnError: config.OnErrorIgnore}
	if _, err := chain(m, ignore).Pre(context.Background(), call()); err != nil {
		t.Fatalf("ignore policy: %v", err)
	}
}

// TestModifyOrder: pre hooks run in order and see earlier replacements;
// post hooks run in reverse and see later replacements.
func TestModifyOrder(t *testing.T) {
	m := metrics.New()
	first := &fake{name: "first", pre: Verdict{Action: Modify, Arguments: map[string]any{"a": "2"}},
		post: Verdict{Action: Modify, Outcome: &Outcome{Tool: mcp.NewToolResultText("from-first")}}}
	second := &fake{name: "second", post: Verdict{Action: Modify, Outcome: &Outcome{Tool: mcp.NewToolResultText("from-second")}}}
	c := chain(m, enforce(first), enforce(second))
	orig := call()
	got, err := c.Pre(context.Background(), orig)
	if err != nil || got.Arguments["a"] != "2" || second.sawArgs[0]["a"] != "2" {
		t.Fatalf("pre modify: %+v %v", got, err)
	}
	if orig.Arguments["a"] != "1" {
		t.Fatal("the original call was mutated")
	}
	out, err := c.Post(context.Background(), got, &Outcome{Tool: mcp.NewToolResultText("upstream")})
	if err != nil {
		t.Fatal(err)
	}
	tc, _ := mcp.AsTextContent(out.Tool.Content[0])
	if tc.Text != "from-first" || second.sawOutcomeTexts[0] != "upstream" || first.sawOutcomeTexts[0] != "from-second" {
		t.Fatalf("post order: final %q, second saw %v, first saw %v", tc.Text, second.sawOutcomeTexts, first.sawOutcomeTexts)
	}
}

func TestInitFailureShutsEverythingDown(t *testing.T) {
	a, b, c := &fake{name: "a"}, &fake{name: "b", initErr: errors.New("no")}, &fake{name: "c"}
	err := chain(metrics.New(), enforce(a), enforce(b), enforce(c)).Init(context.Background())
	if err == nil {
		t.Fatal("init error swallowed")
	}
	if a.shutdowns != 1 || b.shutdowns != 1 || c.shutdowns != 1 || c.inits != 0 {
		t.Fatalf("a=%+v b=%+v c=%+v", a, b, c)
	}
}
