package clientchurn

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// The hoist: a pool configured only from constants and package-level
// values moves to a package-level var (or a sync.OnceValue when init
// functions set what it reads), used where the pool was built.

// hoistFix moves a pool whose configuration depends only on constants and
// package-level values to a package-level var, and uses the var where the
// pool was built. The per-call client around it, if any, stays: it is
// cheap once its transport is shared. It returns the reason when no edit
// can be proved to keep behaviour.
func (r *reporter) hoistFix(s *lifetime.Site) (*analysis.SuggestedFix, string) {
	if s.Fate.Released() {
		return nil, "it is closed each call, and a shared pool must not be"
	}
	at := s.Instr.Pos()
	if len(s.Chain) > 1 {
		// Made by a helper or factory: hoist the pool where it is
		// created, so the helper hands out cheap clients on one shared
		// pool. Only if no caller of that helper closes what it gets.
		if !s.Origin.IsValid() {
			return nil, "it is built in another package"
		}
		if r.sharedUnsafely(s.Origin) {
			return nil, "a caller of " + r.name(s.Chain[0]) + " closes or reconfigures what it returns, which a shared pool must not be"
		}
		at = s.Origin
	}
	if fix, ok := r.fixes[at]; ok {
		return fix, "" // the same edit, offered by another finding
	}
	expr, file := r.exprAt(at)
	if expr == nil {
		return nil, "its source could not be located"
	}
	decl := edit.EnclosingFunc(file, expr.Pos())
	if decl == nil {
		return nil, "it is not inside a function declaration"
	}
	var recv *types.Var
	if at == s.Instr.Pos() {
		recv = r.receiver(decl)
	}
	d := r.configDeps(expr, recv)
	if d.why != "" {
		return nil, d.why
	}
	if why := r.localUse(file, expr); why != "" {
		return nil, why
	}
	if len(d.recvIdents) > 0 {
		fix, why := r.fieldFix(s, expr, file, decl, d)
		if fix != nil {
			r.remember(at, fix)
		}
		return fix, why
	}
	why, lazy := r.packageStateWhy(d)
	if why != "" {
		return nil, why
	}
	if at != s.Instr.Pos() && s.Kind != catalog.Transport {
		return nil, "the helper returns a client that owns its pool; build it once in the constructor instead"
	}
	text, ok := edit.Source(r.pass, expr)
	if !ok {
		return nil, "its source could not be read"
	}
	name := r.freshName(decl, s)
	fnName := decl.Name.Name
	varDecl := fmt.Sprintf("// %s is shared by every call of %s: one pool, reused.\nvar %s = %s\n\n", name, fnName, name, text)
	use := name
	im := edit.NewImports(r.pass)
	if lazy {
		if edit.HasMultilineRawString(expr) {
			return nil, "its configuration holds a multi-line raw string, which moving would change"
		}
		ok := true
		typ := types.TypeString(r.pass.TypesInfo.TypeOf(expr), im.Qualifier(file, &ok))
		syncName, good := im.Name(file, types.NewPackage("sync", "sync"))
		if !ok || !good {
			return nil, "a package name it needs is taken in " + edit.Position(r.pass.Fset, file.Pos())
		}
		varDecl = fmt.Sprintf("// %s builds the pool of %s once, on first use (after init has run): one pool, reused.\nvar %s = %s.OnceValue(func() %s {\nreturn %s\n})\n\n",
			name, fnName, name, syncName, typ, text)
		use = name + "()"
	}
	formatted, err := edit.Decls(varDecl)
	if err != nil {
		return nil, "the hoisted declaration would not be valid Go"
	}
	start := decl.Pos()
	if decl.Doc != nil {
		start = decl.Doc.Pos()
	}
	how := "hoist the " + s.Kind.Phrase() + " to package-level var " + name
	if lazy {
		how = "build the " + s.Kind.Phrase() + " once, on first use, in package-level " + name
	}
	fix := &analysis.SuggestedFix{
		Message: how,
		TextEdits: edit.MergeInserts(append(im.Edits(),
			analysis.TextEdit{Pos: start, End: start, NewText: []byte(formatted + "\n\n")},
			analysis.TextEdit{Pos: expr.Pos(), End: expr.End(), NewText: []byte(use)},
		)),
	}
	r.remember(at, fix)
	return fix, ""
}

// remember keeps the fix for the pool created at pos: another finding on
// the same pool offers the same edit.
func (r *reporter) remember(at token.Pos, fix *analysis.SuggestedFix) {
	if r.fixes == nil {
		r.fixes = make(map[token.Pos]*analysis.SuggestedFix)
	}
	r.fixes[at] = fix
}

// sharedUnsafely reports whether any site of this package that obtains
// the pool created at origin closes it or sets its fields.
func (r *reporter) sharedUnsafely(origin token.Pos) bool {
	for _, f := range r.res.Funcs {
		for _, s := range f.Sites {
			if s.Origin != origin || s.Instr.Pos() == origin {
				continue
			}
			if s.Fate.Released() {
				return true
			}
			for _, ref := range *s.Value.Referrers() {
				fa, ok := ref.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				for _, use := range *fa.Referrers() {
					if st, ok := use.(*ssa.Store); ok && st.Addr == fa {
						return true
					}
				}
			}
		}
	}
	return false
}

// exprAt returns the creating expression at an SSA position, and its file.
func (r *reporter) exprAt(pos token.Pos) (ast.Expr, *ast.File) {
	e := edit.CreationAt(r.pass, pos)
	if e == nil {
		return nil, nil
	}
	return e, edit.FileOf(r.pass, pos)
}

// freshName derives a package-level name from the function and the kind
// of pool ("handleTransport", "serveHTTPClient") that collides with
// nothing in the package, nor with another fix of this run.
func (r *reporter) freshName(decl *ast.FuncDecl, s *lifetime.Site) string {
	base := decl.Name.Name
	if decl.Recv != nil && len(decl.Recv.List) > 0 {
		t := decl.Recv.List[0].Type
		if st, ok := t.(*ast.StarExpr); ok {
			t = st.X
		}
		if id, ok := t.(*ast.Ident); ok {
			base = id.Name + base
		}
	}
	noun := []rune(s.Kind.Noun())
	noun[0] = unicode.ToUpper(noun[0])
	suffix := string(noun)
	runes := []rune(base)
	var name string
	if strings.HasSuffix(strings.ToLower(base), strings.ToLower(suffix)) {
		runes[0] = unicode.ToUpper(runes[0])
		name = "shared" + string(runes) // newTransport -> sharedNewTransport
	} else {
		runes[0] = unicode.ToLower(runes[0])
		name = string(runes) + suffix
	}
	if r.used == nil {
		r.used = make(map[string]bool)
	}
	candidate := name
	for i := 2; r.used[candidate] || r.pass.Pkg.Scope().Lookup(candidate) != nil; i++ {
		candidate = fmt.Sprintf("%s%d", name, i)
	}
	r.used[candidate] = true
	return candidate
}
