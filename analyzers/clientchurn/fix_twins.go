package clientchurn

import (
	"go/ast"
	"go/types"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// Twins: other methods of the type that build the same pool the same way
// share the field one fix adds.

// twin is another method's pool that is built exactly as the one a field
// fix moves: same text but for the receiver's name.
type twin struct {
	expr ast.Expr
	recv *types.Var
}

// twins finds the pools that other methods of the type build per call
// exactly as s does, and that could share its field: dropped at the end
// of the call, never closed, never changed, and configured from the
// receiver's fields only.
func (fb *fieldBuild) twins(s *lifetime.Site) []twin {
	r := fb.r
	want := normalized(fb.exprText, fb.expr, fb.d.recvIdents)
	var out []twin
	for _, f := range r.res.Funcs {
		for _, s2 := range f.Sites {
			fate := s2.Fate
			if s2 == s || s2.Instr.Pos() == s.Instr.Pos() || len(s2.Chain) != 1 || s2.Kind != s.Kind ||
				fate.Kept != "" || fate.MemoField != nil || !fate.Dropped() || fate.Released() || fate.Cond() || !fate.Used {
				continue
			}
			expr, file := r.exprAt(s2.Instr.Pos())
			if expr == nil {
				continue
			}
			decl := edit.EnclosingFunc(file, expr.Pos())
			if decl == nil {
				continue
			}
			recv := r.receiver(decl)
			if recv == nil {
				continue
			}
			if ptr, ok := recv.Type().(*types.Pointer); !ok || !types.Identical(ptr.Elem(), fb.named) {
				continue
			}
			d := r.configDeps(expr, recv)
			if d.why != "" || r.localUse(file, expr) != "" {
				continue
			}
			text, ok := edit.Source(r.pass, expr)
			if ok && normalized(text, expr, d.recvIdents) == want {
				out = append(out, twin{expr: expr, recv: recv})
			}
		}
	}
	return out
}

// normalized is a pool's text with every mention of the receiver blanked.
func normalized(text string, expr ast.Expr, recvIdents []*ast.Ident) string {
	return renameReceiver(text, expr, recvIdents, "\x00")
}
