package clientchurn

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

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
			return nil, "a caller of " + r.local(s.Chain[0]) + " closes or reconfigures what it returns, which a shared pool must not be"
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

// configDeps is what a pool's configuration reads, for deciding where it
// can be built once instead.
type configDeps struct {
	// why is set when nothing can build it once: it calls a function or
	// reads a local variable or parameter.
	why string
	// recvFields are the fields of the method's receiver it reads as
	// recv.f; recvIdents every mention of the receiver (all of them in
	// such selectors, or in bound method values recv.m).
	recvFields []*types.Var
	recvIdents []*ast.Ident
	// pkgVars are the package-level variables of this package it reads
	// when it is built (not those read later inside function literals);
	// derefs those it dereferences (*insecure, a flag).
	pkgVars []*types.Var
	derefs  []*types.Var
}

// configDeps finds what expr reads. recv is the receiver of the method
// that builds it, or nil: reads of recv.f are then recorded instead of
// refused. Conversions, new, and http.DefaultTransport.(*http.Transport).Clone()
// are the only calls allowed.
func (r *reporter) configDeps(expr ast.Expr, recv *types.Var) *configDeps {
	info := r.pass.TypesInfo
	d := new(configDeps)
	if tv, ok := info.Types[expr]; ok {
		if _, isTuple := tv.Type.(*types.Tuple); isTuple {
			d.why = "it also returns an error, which must be handled where it is created: create it once at startup and keep it"
			return d
		}
	}
	var visit func(n ast.Node, inLit bool) bool
	visit = func(n ast.Node, inLit bool) bool {
		if d.why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			// Read when the literal runs, not when the pool is built.
			ast.Inspect(n.Body, func(m ast.Node) bool { return visit(m, true) })
			return false
		case *ast.KeyValueExpr:
			if v, ok := info.Uses[identOf(n.Key)].(*types.Var); ok && v.IsField() {
				ast.Inspect(n.Value, func(m ast.Node) bool { return visit(m, inLit) })
				return false
			}
		case *ast.SelectorExpr:
			if id := identOf(n.X); id != nil && recv != nil && info.Uses[id] == recv {
				sel := info.Selections[n]
				switch {
				case sel != nil && sel.Kind() == types.FieldVal && len(sel.Index()) == 1:
					if f := sel.Obj().(*types.Var); !slices.Contains(d.recvFields, f) {
						d.recvFields = append(d.recvFields, f)
					}
				case sel != nil && sel.Kind() == types.MethodVal:
				default:
					d.why = fmt.Sprintf("its configuration reads %s, which is not a field of %s's own", types.ExprString(n), id.Name)
					return false
				}
				d.recvIdents = append(d.recvIdents, id)
				return false
			}
		case *ast.StarExpr:
			if id := identOf(ast.Unparen(n.X)); id != nil && !inLit {
				if v, ok := info.Uses[id].(*types.Var); ok && r.isPackageVar(v) && !slices.Contains(d.derefs, v) {
					d.derefs = append(d.derefs, v)
				}
			}
		case *ast.CallExpr:
			if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
				return true
			}
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "new" {
				if _, builtin := info.Uses[id].(*types.Builtin); builtin {
					return true
				}
			}
			if isCloneOfDefault(info, n) {
				return true
			}
			if n == expr {
				// A catalogued constructor: only its arguments matter,
				// and the value it is a method of (base.Clone()).
				ast.Inspect(n.Fun, func(m ast.Node) bool { return visit(m, inLit) })
				for _, a := range n.Args {
					ast.Inspect(a, func(m ast.Node) bool { return visit(m, inLit) })
				}
				return false
			}
			d.why = "its configuration calls " + types.ExprString(n.Fun) + " on every call, which a package-level var would call once"
			return false
		case *ast.Ident:
			v, ok := info.Uses[n].(*types.Var)
			if !ok || v.IsField() {
				return true
			}
			if v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
				// A package-level variable, here or imported.
				if v.Pkg() == r.pass.Pkg && !inLit && !slices.Contains(d.pkgVars, v) {
					d.pkgVars = append(d.pkgVars, v)
				}
				return true
			}
			if expr.Pos() <= v.Pos() && v.Pos() < expr.End() {
				return true // declared inside the expression (a function literal's own)
			}
			d.why = fmt.Sprintf("its configuration depends on %s, which can change from call to call: keep one pool per distinct %s (a map or sync.Map filled once per key), or build it in the constructor", n.Name, n.Name)
			return false
		}
		return true
	}
	ast.Inspect(expr, func(n ast.Node) bool { return visit(n, false) })
	return d
}

func (r *reporter) isPackageVar(v *types.Var) bool {
	return v.Pkg() == r.pass.Pkg && v.Parent() == v.Pkg().Scope()
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

// isCloneOfDefault matches http.DefaultTransport.(*http.Transport).Clone().
func isCloneOfDefault(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Clone" {
		return false
	}
	x := ast.Unparen(sel.X)
	if ta, ok := x.(*ast.TypeAssertExpr); ok {
		x = ta.X
	}
	xs, ok := x.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, ok := info.Uses[xs.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "net/http" && v.Name() == "DefaultTransport"
}

// localUse returns why the pool, if the function names it in a local
// variable, is used in a way a shared pool must not be: its fields are
// set, it is passed to other functions, or the variable is reassigned.
func (r *reporter) localUse(file *ast.File, expr ast.Expr) string {
	path, _ := astutil.PathEnclosingInterval(file, expr.Pos(), expr.End())
	if len(path) < 2 {
		return ""
	}
	var local *types.Var
	switch p := path[1].(type) {
	case *ast.AssignStmt:
		for i, rhs := range p.Rhs {
			if rhs == expr && i < len(p.Lhs) {
				// c.Transport = &http.Transport{...}: the pool has no
				// name of its own here, so nothing else can touch it.
				if id := identOf(p.Lhs[i]); id != nil {
					local, _ = r.pass.TypesInfo.ObjectOf(id).(*types.Var)
				}
			}
		}
	case *ast.ValueSpec:
		for i, v := range p.Values {
			if v == expr && i < len(p.Names) {
				local, _ = r.pass.TypesInfo.Defs[p.Names[i]].(*types.Var)
			}
		}
	}
	if local == nil {
		return ""
	}
	decl := edit.EnclosingFunc(file, expr.Pos())
	why := ""
	ast.Inspect(decl, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && r.pass.TypesInfo.Uses[identOf(sel.X)] == local {
					why = "the function sets " + types.ExprString(sel) + " on it, which a shared pool must not have"
				}
				if id := identOf(lhs); id != nil && r.pass.TypesInfo.Uses[id] == local {
					why = "the variable " + local.Name() + " is reassigned"
				}
			}
		case *ast.CallExpr:
			for _, arg := range n.Args {
				if id := identOf(arg); id != nil && r.pass.TypesInfo.Uses[id] == local {
					why = "it is passed to " + types.ExprString(n.Fun) + ", which may change it"
				}
			}
		}
		return true
	})
	return why
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

// memoFix stores the new pool back into the field (or package variable)
// that the nil check read, right after the local is assigned.
func (r *reporter) memoFix(s *lifetime.Site) *analysis.SuggestedFix {
	expr, file := r.exprAt(s.Instr.Pos())
	if expr == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(file, expr.Pos(), expr.End())
	var assign *ast.AssignStmt
	for _, n := range path {
		if a, ok := n.(*ast.AssignStmt); ok {
			assign = a
			break
		}
		if _, ok := n.(ast.Stmt); ok {
			break
		}
	}
	if assign == nil || len(assign.Lhs) != 1 || assign.Tok != token.ASSIGN {
		return nil
	}
	id := identOf(assign.Lhs[0])
	if id == nil {
		return nil
	}
	tf := r.pass.Fset.File(assign.Pos())
	src, err := r.pass.ReadFile(tf.Name())
	if err != nil {
		return nil
	}
	lineStart := tf.LineStart(tf.Line(assign.Pos()))
	indent := string(src[tf.Offset(lineStart):tf.Offset(assign.Pos())])
	if strings.TrimSpace(indent) != "" {
		return nil
	}
	line := tf.Line(assign.End())
	if line >= tf.LineCount() {
		return nil
	}
	eol := tf.LineStart(line+1) - 1 // after any comment on the line
	return &analysis.SuggestedFix{
		Message: "store the new pool in " + s.Fate.MemoName,
		TextEdits: []analysis.TextEdit{{Pos: eol, End: eol,
			NewText: []byte("\n" + indent + s.Fate.MemoName + " = " + id.Name)}},
	}
}
