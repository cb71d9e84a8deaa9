package clientchurn

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/internal/release"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// A method that builds a pool per call from its receiver's fields gets it
// built once per receiver instead, in a new field of the receiver's type.
//
// That keeps behaviour when the pool would be the same on every call: the
// fields it reads (and the package-level state, as for a hoist) do not
// change once the value is built. So every field read must be written only
// while the value is being built: in its composite literal, or through the
// local variable that holds the new value in the function that made it,
// before that variable is used for anything but its fields, and never in a
// function literal. An exported field of an exported type can be changed
// from other packages: no fix.
//
// Where the pool is built:
//
//   - In the constructor, when there is exactly one: the type is
//     unexported and this package makes its values in one place only (one
//     &T{...}, no new(T), no T held by value anywhere), that function is
//     not itself run per call, and it either names the new value in a
//     local or returns the literal directly. The pool is built right after
//     the last write to a field it reads, before the value is used.
//   - Otherwise lazily, on the method's first call, through a sync.Once
//     field: a zero value then works too. The type must never be copied
//     (no value receivers, no T held or passed by value), as a sync.Once
//     must not be.
//
// The receiver type now keeps a pool: the edits clientshutdown would ask
// for (a release method, or the release in the one it has) come with the
// fix, so that neither check reports anything on the next run.
func (r *reporter) fieldFix(s *lifetime.Site, expr ast.Expr, file *ast.File, decl *ast.FuncDecl, d *configDeps) (*analysis.SuggestedFix, string) {
	recv := r.receiver(decl)
	ptr, isPtr := recv.Type().(*types.Pointer)
	if !isPtr {
		return nil, fmt.Sprintf("its configuration reads fields of %s, and %s has a value receiver, so a field set once would be set on a copy: give it a pointer receiver and build the %s once in a field",
			recv.Name(), decl.Name.Name, s.Kind.Phrase())
	}
	named, _ := types.Unalias(ptr.Elem()).(*types.Named)
	if named == nil || named.Obj().Pkg() != r.pass.Pkg || named.TypeParams().Len() > 0 {
		return nil, "its configuration reads fields of " + recv.Name() + ", whose type is generic or not declared here"
	}
	if _, ok := named.Underlying().(*types.Struct); !ok {
		return nil, "its configuration reads fields of " + recv.Name() + ", which is not a struct"
	}
	typeFile, gen, structType := r.structDecl(named)
	if structType == nil {
		return nil, "the declaration of " + named.Obj().Name() + " could not be located"
	}
	if why, _ := r.packageStateWhy(d); why != "" {
		return nil, why
	}
	typeName := named.Obj().Name()
	if other, ok := r.fieldFixed[named]; ok {
		return nil, "the fix of " + other + " adds a field to " + typeName + " first; apply it, then run the fixes again"
	}
	for _, f := range d.recvFields {
		if f.Exported() && named.Obj().Exported() {
			return nil, fmt.Sprintf("its configuration reads %s.%s, which other packages may change after the %s is built: build the pool once where %s is final", recv.Name(), f.Name(), typeName, f.Name())
		}
		if w := r.fieldWriters(f); len(w.elsewhere) > 0 {
			return nil, fmt.Sprintf("its configuration reads %s.%s, which %s changes after the %s is built (%s): a pool built once would keep the old value", recv.Name(), f.Name(), w.elsewhere[0], typeName, edit.Position(r.pass.Fset, w.at))
		}
	}
	if edit.HasMultilineRawString(expr) {
		return nil, "its configuration holds a multi-line raw string, which moving would change"
	}
	exprText, ok := edit.Source(r.pass, expr)
	if !ok {
		return nil, "its source could not be read"
	}
	poolType := r.pass.TypesInfo.TypeOf(expr)
	fieldName := r.freshField(named, decl, s)
	field := types.NewField(token.NoPos, r.pass.Pkg, fieldName, poolType, false)
	releaseEdits, why := release.ForNewField(r.pass, r.res, named, field, s)
	if why != "" {
		return nil, "the " + typeName + " would keep the pool, and " + string(why)
	}

	im := edit.NewImports(r.pass)
	fb := &fieldBuild{r: r, named: named, decl: decl, recv: recv, expr: expr, exprText: exprText, d: d, field: fieldName, im: im}
	lits, _ := fb.byValue()
	for _, lit := range lits {
		if why := fb.madePerCall(lit); why != "" {
			return nil, fmt.Sprintf("its configuration reads fields of the %s, and %s: a pool per %s would be built as often; keep one pool per distinct configuration instead (a map or sync.Map filled once per key)", typeName, why, typeName)
		}
	}
	typeOK := true
	typeText := types.TypeString(poolType, im.Qualifier(typeFile, &typeOK))
	if !typeOK {
		return nil, "a package name the new field needs is taken in " + edit.Position(r.pass.Fset, typeFile.Pos())
	}
	ctorEdits, ctorName := fb.inConstructor()
	// The same pool built the same way by other methods of the type shares
	// the field, in this one fix. Without a constructor each of them needs
	// its own sync.Once call; a twin that cannot have one keeps its pool
	// and its own finding.
	var twins []twin
	var twinEdits []analysis.TextEdit
	methods := []string{decl.Name.Name}
	for _, t := range fb.twins(s) {
		if ctorEdits == nil {
			once, why := fb.onceBefore(t.expr, t.recv)
			if why != "" {
				continue
			}
			twinEdits = append(twinEdits, once)
		}
		twins = append(twins, t)
		twinEdits = append(twinEdits, analysis.TextEdit{Pos: t.expr.Pos(), End: t.expr.End(), NewText: []byte(t.recv.Name() + "." + fieldName)})
		if m := edit.EnclosingFunc(edit.FileOf(r.pass, t.expr.Pos()), t.expr.Pos()).Name.Name; !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	callers, anyCaller := strings.Join(methods, " and "), strings.Join(methods, " or ")
	var edits []analysis.TextEdit
	var fieldDecl, how string
	if ctorEdits != nil {
		edits = ctorEdits
		fieldDecl = fmt.Sprintf("// %s is built once, in %s, and shared by every call of %s.\n%s %s", fieldName, ctorName, callers, fieldName, typeText)
		how = "build the " + s.Kind.Phrase() + " once, in " + ctorName + ", in field " + fieldName
	} else {
		lazyEdits, lazyWhy := fb.lazily()
		if lazyEdits == nil {
			return nil, lazyWhy
		}
		syncName, good := im.Name(typeFile, types.NewPackage("sync", "sync"))
		if !good {
			return nil, "the name sync is taken in " + edit.Position(r.pass.Fset, typeFile.Pos())
		}
		edits = lazyEdits
		fieldDecl = fmt.Sprintf("// %s is built on the first call of %s and shared by the calls after it.\n%sOnce %s.Once\n%s %s", fieldName, anyCaller, fieldName, syncName, fieldName, typeText)
		how = "build the " + s.Kind.Phrase() + " once per " + typeName + ", on the first call of " + decl.Name.Name + ", in field " + fieldName
	}
	// Methods that build the pool in one statement share one sync.Once call.
	for _, e := range twinEdits {
		if !slices.ContainsFunc(edits, func(o analysis.TextEdit) bool { return o.Pos == e.Pos && bytes.Equal(o.NewText, e.NewText) }) {
			edits = append(edits, e)
		}
	}
	structEdit, ok := r.addFields(gen, structType, fieldDecl)
	if !ok {
		return nil, "the declaration of " + typeName + " could not be rewritten"
	}
	edits = append(edits, structEdit)
	edits = append(edits, analysis.TextEdit{Pos: expr.Pos(), End: expr.End(), NewText: []byte(recv.Name() + "." + fieldName)})
	edits = append(edits, releaseEdits...)
	edits = append(edits, im.Edits()...)
	edits = edit.MergeInserts(edits)
	if edit.Overlap(edits) {
		return nil, "its edits would overlap"
	}
	if r.fieldFixed == nil {
		r.fieldFixed = make(map[*types.Named]string)
	}
	r.fieldFixed[named] = typeName + "." + decl.Name.Name
	fix := &analysis.SuggestedFix{Message: how, TextEdits: edits}
	for _, t := range twins {
		r.remember(t.expr.Pos(), fix)
	}
	return fix, ""
}

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
				fate.Kept != "" || fate.MemoField != nil || !fate.Dropped() || fate.Released() || fate.Conditional || !fate.Used {
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

// receiver returns the named receiver of a method declaration, or nil.
func (r *reporter) receiver(decl *ast.FuncDecl) *types.Var {
	if decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return nil
	}
	v, _ := r.pass.TypesInfo.Defs[decl.Recv.List[0].Names[0]].(*types.Var)
	if v == nil || v.Name() == "_" {
		return nil
	}
	return v
}

// structDecl finds the declaration of a struct type of this package.
func (r *reporter) structDecl(named *types.Named) (*ast.File, *ast.GenDecl, *ast.StructType) {
	for _, f := range r.pass.Files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if r.pass.TypesInfo.Defs[ts.Name] == named.Obj() {
					st, _ := ts.Type.(*ast.StructType)
					return f, gd, st
				}
			}
		}
	}
	return nil, nil, nil
}

// addFields rewrites the type declaration with fields added at the end of
// the struct, formatted.
func (r *reporter) addFields(gen *ast.GenDecl, st *ast.StructType, fields string) (analysis.TextEdit, bool) {
	text, ok := edit.Source(r.pass, gen)
	if !ok {
		return analysis.TextEdit{}, false
	}
	at := int(st.Fields.Closing - gen.Pos())
	text = text[:at] + "\n" + fields + "\n" + text[at:]
	out, err := edit.Decls(text)
	if err != nil {
		return analysis.TextEdit{}, false
	}
	return analysis.TextEdit{Pos: gen.Pos(), End: gen.End(), NewText: []byte(out)}, true
}

// freshField names the new field after the kind of pool ("transport"),
// or after the method when the type has that name already.
func (r *reporter) freshField(named *types.Named, decl *ast.FuncDecl, s *lifetime.Site) string {
	base := s.Kind.Noun()
	taken := func(name string) bool {
		for _, n := range []string{name, name + "Once"} {
			if obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(named), true, r.pass.Pkg, n); obj != nil {
				return true
			}
		}
		return false
	}
	if !taken(base) {
		return base
	}
	runes := []rune(decl.Name.Name)
	runes[0] = unicode.ToLower(runes[0])
	name := string(runes) + strings.ToUpper(base[:1]) + base[1:]
	candidate := name
	for i := 2; taken(candidate); i++ {
		candidate = fmt.Sprintf("%s%d", name, i)
	}
	return candidate
}

// fieldWriters finds the writes to field f outside the building of the
// value that holds it.
func (r *reporter) fieldWriters(f *types.Var) *writers {
	info := r.pass.TypesInfo
	w := new(writers)
	r.eachWrite(func(target ast.Expr, decl *ast.FuncDecl, inLit bool) {
		for e := ast.Unparen(target); ; {
			var next ast.Expr
			switch x := e.(type) {
			case *ast.SelectorExpr:
				if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal && sel.Obj() == f {
					if inLit || !r.beingBuilt(decl, x.X, target.Pos()) {
						w.elsewhere = append(w.elsewhere, decl.Name.Name)
						if !w.at.IsValid() {
							w.at = target.Pos()
						}
					}
					return
				}
				next = x.X
			case *ast.IndexExpr:
				next = x.X
			case *ast.StarExpr:
				next = x.X
			case *ast.ParenExpr:
				next = x.X
			}
			if next == nil {
				return
			}
			e = next
		}
	})
	return w
}

// beingBuilt reports whether base, in decl, is a local variable that holds
// a value decl has just made (x := &T{...}, new(T), T{...}) and that
// nothing but field accesses has used before pos.
func (r *reporter) beingBuilt(decl *ast.FuncDecl, base ast.Expr, pos token.Pos) bool {
	info := r.pass.TypesInfo
	id := identOf(ast.Unparen(base))
	if id == nil {
		return false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.Kind() != types.LocalVar || !(decl.Pos() <= v.Pos() && v.Pos() < decl.End()) {
		return false
	}
	if !r.madeAt(decl, v) {
		return false
	}
	return r.onlyFieldsUsed(decl.Body, v, pos)
}

// madeAt reports whether v is declared in decl as the value of a
// composite literal, its address, or new(T).
func (r *reporter) madeAt(decl *ast.FuncDecl, v *types.Var) bool {
	path, _ := astutil.PathEnclosingInterval(edit.FileOf(r.pass, decl.Pos()), v.Pos(), v.Pos())
	var rhs ast.Expr
	for _, n := range path {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if id := identOf(l); id != nil && id.Pos() == v.Pos() && len(n.Rhs) == len(n.Lhs) {
					rhs = n.Rhs[i]
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if name.Pos() == v.Pos() && len(n.Values) == len(n.Names) {
					rhs = n.Values[i]
				}
			}
		}
		if rhs != nil {
			break
		}
	}
	return rhs != nil && r.isConstruction(rhs)
}

// isConstruction matches T{...}, &T{...} and new(T).
func (r *reporter) isConstruction(e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	switch e := e.(type) {
	case *ast.CompositeLit:
		return true
	case *ast.CallExpr:
		if id := identOf(e.Fun); id != nil && id.Name == "new" {
			_, builtin := r.pass.TypesInfo.Uses[id].(*types.Builtin)
			return builtin
		}
	}
	return false
}

// onlyFieldsUsed reports whether every use of v in body before pos reads
// or writes one of its fields: no method runs on it, nothing else gets it.
func (r *reporter) onlyFieldsUsed(body ast.Node, v *types.Var, pos token.Pos) bool {
	info := r.pass.TypesInfo
	asBase := make(map[*ast.Ident]bool)
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id := identOf(ast.Unparen(n.X)); id != nil {
				if sel := info.Selections[n]; sel != nil && sel.Kind() == types.FieldVal {
					asBase[id] = true
				}
			}
		case *ast.Ident:
			if n.Pos() < pos && info.Uses[n] == v && !asBase[n] {
				ok = false
			}
		}
		return true
	})
	return ok
}

// fieldBuild holds what both forms of the field fix need.
type fieldBuild struct {
	r        *reporter
	named    *types.Named
	decl     *ast.FuncDecl // the method
	recv     *types.Var
	expr     ast.Expr
	exprText string
	d        *configDeps
	field    string
	im       *edit.Imports
}

// withBase returns the pool's text with the receiver renamed to base.
func (fb *fieldBuild) withBase(base string) string {
	return renameReceiver(fb.exprText, fb.expr, fb.d.recvIdents, base)
}

// renameReceiver replaces every mention of the receiver in a pool's text.
func renameReceiver(text string, expr ast.Expr, recvIdents []*ast.Ident, to string) string {
	ids := append([]*ast.Ident(nil), recvIdents...)
	sort.Slice(ids, func(i, j int) bool { return ids[i].Pos() > ids[j].Pos() })
	for _, id := range ids {
		off := int(id.Pos() - expr.Pos())
		text = text[:off] + to + text[off+len(id.Name):]
	}
	return text
}

// byValue lists where this package holds, passes or makes a value of the
// type other than as the operand of &T{...}: a value that can be copied,
// or made zero without its constructor.
func (fb *fieldBuild) byValue() (lits []*ast.CompositeLit, at token.Pos) {
	info := fb.r.pass.TypesInfo
	holds := func(t types.Type) bool { return holdsByValue(t, fb.named, 0) }
	for _, f := range fb.r.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.UnaryExpr:
				if lit, ok := ast.Unparen(n.X).(*ast.CompositeLit); ok && n.Op == token.AND && types.Identical(info.TypeOf(lit), fb.named) {
					lits = append(lits, lit)
					for _, e := range lit.Elts {
						fb.scanValues(e, holds, &at)
					}
					return false
				}
			case *ast.Ident:
				if obj, ok := info.Defs[n].(*types.Var); ok && holds(obj.Type()) && !at.IsValid() {
					at = n.Pos()
				}
			case ast.Expr:
				if tv, ok := info.Types[n]; ok && !tv.IsType() && holds(tv.Type) && !at.IsValid() {
					at = n.Pos()
				}
			}
			return true
		})
	}
	return lits, at
}

func (fb *fieldBuild) scanValues(n ast.Node, holds func(types.Type) bool, at *token.Pos) {
	info := fb.r.pass.TypesInfo
	ast.Inspect(n, func(m ast.Node) bool {
		if e, ok := m.(ast.Expr); ok {
			if tv, ok := info.Types[e]; ok && !tv.IsType() && holds(tv.Type) && !at.IsValid() {
				*at = e.Pos()
			}
		}
		return true
	})
}

// holdsByValue reports whether a value of type t contains a T itself (not
// through a pointer).
func holdsByValue(t types.Type, named *types.Named, depth int) bool {
	if depth > 8 {
		return false
	}
	if types.Identical(t, named) {
		return true
	}
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		return holdsByValue(u.Underlying(), named, depth+1)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if holdsByValue(u.Field(i).Type(), named, depth+1) {
				return true
			}
		}
	case *types.Array:
		return holdsByValue(u.Elem(), named, depth+1)
	case *types.Slice:
		return holdsByValue(u.Elem(), named, depth+1)
	case *types.Map:
		return holdsByValue(u.Key(), named, depth+1) || holdsByValue(u.Elem(), named, depth+1)
	case *types.Chan:
		return holdsByValue(u.Elem(), named, depth+1)
	case *types.Tuple:
		for i := 0; i < u.Len(); i++ {
			if holdsByValue(u.At(i).Type(), named, depth+1) {
				return true
			}
		}
	}
	return false
}

// inConstructor builds the pool in the type's one constructor, and names
// it. It returns no edits when that form does not apply.
func (fb *fieldBuild) inConstructor() ([]analysis.TextEdit, string) {
	r := fb.r
	info := r.pass.TypesInfo
	if fb.named.Obj().Exported() {
		return nil, "" // other packages can make a zero value
	}
	if mentioned, _ := r.testMentions(fb.named); mentioned {
		return nil, "" // a test may make one without the constructor
	}
	lits, byValue := fb.byValue()
	if byValue.IsValid() || len(lits) != 1 {
		return nil, ""
	}
	lit := lits[0]
	file := edit.FileOf(r.pass, lit.Pos())
	path, _ := astutil.PathEnclosingInterval(file, lit.Pos(), lit.End())
	var ctor *ast.FuncDecl
	for _, n := range path {
		if _, ok := n.(*ast.FuncLit); ok {
			return nil, ""
		}
		if fd, ok := n.(*ast.FuncDecl); ok {
			ctor = fd
			break
		}
	}
	if ctor == nil || ctor == fb.decl || ctor.Name.IsExported() {
		return nil, ""
	}
	if _, ok := info.Defs[ctor.Name].(*types.Func); !ok {
		return nil, ""
	}
	var amp *ast.UnaryExpr
	for i, n := range path {
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.AND && i+1 < len(path) {
			amp = u
			switch p := path[i+1].(type) {
			case *ast.AssignStmt:
				if p.Tok == token.DEFINE && len(p.Lhs) == 1 && len(p.Rhs) == 1 {
					return fb.afterBuild(file, ctor, p)
				}
			case *ast.ReturnStmt:
				if len(p.Results) > 0 && p.Results[0] == amp {
					return fb.atReturn(file, ctor, p)
				}
			}
			break
		}
	}
	return nil, ""
}

// madePerCall returns why the function that makes a value of the type at
// lit may run per call (and a pool built per value with it), or "".
func (fb *fieldBuild) madePerCall(lit ast.Node) string {
	r := fb.r
	for _, n := range edit.PathTo(r.pass, lit) {
		switch n := n.(type) {
		case *ast.FuncLit:
			for _, f := range r.res.Funcs {
				if f.SSA.Syntax() == n && f.PerCall != nil {
					return lifetime.Label(f.SSA) + " makes one per call (" + f.PerCall.Why + ")"
				}
			}
			return ""
		case *ast.FuncDecl:
			if obj, ok := r.pass.TypesInfo.Defs[n.Name].(*types.Func); ok {
				return fb.runsPerCall(obj)
			}
			return ""
		}
	}
	return ""
}

// runsPerCall returns why fnObj, which makes a value of the type, may run
// per call, or "".
func (fb *fieldBuild) runsPerCall(fnObj *types.Func) string {
	r := fb.r
	info := r.pass.TypesInfo
	for id, obj := range info.Uses {
		if obj != fnObj {
			continue
		}
		path := edit.PathTo(r.pass, id)
		if len(path) < 2 {
			continue
		}
		call, ok := path[1].(*ast.CallExpr)
		if sel, isSel := path[1].(*ast.SelectorExpr); isSel && sel.Sel == id && len(path) > 2 {
			call, ok = path[2].(*ast.CallExpr)
			ok = ok && call.Fun == sel
		} else {
			ok = ok && call.Fun == id
		}
		if !ok {
			return fnObj.Name() + ", which makes one, is used as a value and may run per call"
		}
	}
	fn := r.res.Pkg.Prog.FuncValue(fnObj)
	if f := r.res.Func(fn); f != nil && f.PerCall != nil {
		return fnObj.Name() + " makes one per call (" + f.PerCall.Why + ")"
	}
	for _, f := range r.res.Funcs {
		for _, b := range f.SSA.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok || call.Common().StaticCallee() != fn {
					continue
				}
				if b.Index < len(f.InLoop) && f.InLoop[b.Index] && !f.RunsOnce() {
					return lifetime.Label(f.SSA) + " calls " + fnObj.Name() + ", which makes one, in a loop"
				}
			}
		}
	}
	return ""
}

// afterBuild: x := &T{...} at the top level of the constructor. The pool
// is built right after the last top-level statement that writes a field
// it reads, if x is used for nothing but its fields until then and is
// returned only as itself.
func (fb *fieldBuild) afterBuild(file *ast.File, ctor *ast.FuncDecl, build *ast.AssignStmt) ([]analysis.TextEdit, string) {
	r := fb.r
	info := r.pass.TypesInfo
	x, _ := info.Defs[identOf(build.Lhs[0])].(*types.Var)
	if x == nil {
		return nil, ""
	}
	k := -1
	for i, st := range ctor.Body.List {
		if st == build {
			k = i
		}
	}
	if k < 0 {
		return nil, ""
	}
	last := k
	for j := k + 1; j < len(ctor.Body.List); j++ {
		ast.Inspect(ctor.Body.List[j], func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if s := info.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
					for _, f := range fb.d.recvFields {
						if s.Obj() == f {
							last = j
						}
					}
				}
			}
			return true
		})
	}
	after := ctor.Body.List[last]
	if !r.onlyFieldsUsed(ctor.Body, x, after.End()) {
		return nil, ""
	}
	bad := false
	ast.Inspect(ctor.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			for _, res := range n.Results {
				if id := identOf(res); id != nil && info.Uses[id] == x {
					continue
				}
				ast.Inspect(res, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok && info.Uses[id] == x {
						bad = true
					}
					return true
				})
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id := identOf(l); id != nil && info.Uses[id] == x {
					bad = true
				}
			}
		}
		return true
	})
	if bad {
		return nil, ""
	}
	tf := r.pass.Fset.File(after.End())
	at := tf.LineStart(tf.Line(after.End()) + 1)
	indent, _ := edit.LineIndent(r.pass, after.Pos())
	if !fb.resolves(file, at, x.Name()) {
		return nil, ""
	}
	stmt, err := edit.Stmts(x.Name()+"."+fb.field+" = "+fb.withBase(x.Name()), indent)
	if err != nil {
		return nil, ""
	}
	return []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(stmt)}}, ctor.Name.Name
}

// atReturn: return &T{...}[, ...] in the constructor. The return becomes
// x := &T{...}; x.field = pool; return x[, ...].
func (fb *fieldBuild) atReturn(file *ast.File, ctor *ast.FuncDecl, ret *ast.ReturnStmt) ([]analysis.TextEdit, string) {
	r := fb.r
	indent, alone := edit.LineIndent(r.pass, ret.Pos())
	if !alone {
		return nil, ""
	}
	x := fb.recv.Name()
	scope := r.pass.TypesInfo.Scopes[file].Innermost(ret.Pos())
	if scope == nil {
		return nil, ""
	}
	if _, obj := scope.LookupParent(x, ret.Pos()); obj != nil && obj.Parent() != types.Universe {
		return nil, ""
	}
	if !fb.resolves(file, ret.Pos(), x) {
		return nil, ""
	}
	var results []string
	for _, res := range ret.Results {
		text, ok := edit.Source(r.pass, res)
		if !ok {
			return nil, ""
		}
		results = append(results, text)
	}
	stmts := x + " := " + results[0] + "\n" + x + "." + fb.field + " = " + fb.withBase(x) + "\nreturn " + strings.Join(append([]string{x}, results[1:]...), ", ")
	out, err := edit.Stmts(stmts, indent)
	if err != nil || edit.HasMultilineRawString(ret) {
		return nil, ""
	}
	out = strings.TrimSuffix(strings.TrimPrefix(out, indent), "\n")
	return []analysis.TextEdit{{Pos: ret.Pos(), End: ret.End(), NewText: []byte(out)}}, ctor.Name.Name
}

// resolves reports whether every name the pool's text uses, other than
// the receiver (renamed base), means the same at pos in file; package
// names that file does not import are imported.
func (fb *fieldBuild) resolves(file *ast.File, pos token.Pos, base string) bool {
	r := fb.r
	info := r.pass.TypesInfo
	scope := info.Scopes[file].Innermost(pos)
	if scope == nil {
		return false
	}
	isRecv := make(map[*ast.Ident]bool)
	for _, id := range fb.d.recvIdents {
		isRecv[id] = true
	}
	ok := true
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit) // n.Sel is a field, method or package member
			return false
		case *ast.KeyValueExpr:
			if v, isVar := info.Uses[identOf(n.Key)].(*types.Var); isVar && v.IsField() {
				ast.Inspect(n.Value, visit)
				return false
			}
		}
		return fb.check(n, scope, pos, file, base, isRecv, &ok)
	}
	ast.Inspect(fb.expr, visit)
	return ok
}

func (fb *fieldBuild) check(n ast.Node, scope *types.Scope, pos token.Pos, file *ast.File, base string, isRecv map[*ast.Ident]bool, ok *bool) bool {
	id, isIdent := n.(*ast.Ident)
	if !isIdent || isRecv[id] || !*ok {
		return *ok
	}
	obj := fb.r.pass.TypesInfo.Uses[id]
	if obj == nil {
		return true
	}
	if id.Name == base {
		*ok = false
		return false
	}
	if obj.Pkg() != nil && obj.Pos() >= fb.expr.Pos() && obj.Pos() < fb.expr.End() {
		return true // declared inside the pool's own text
	}
	_, found := scope.LookupParent(id.Name, pos)
	if pn, isPkg := obj.(*types.PkgName); isPkg {
		if fp, same := found.(*types.PkgName); same && fp.Imported() == pn.Imported() {
			return true
		}
		if found == nil && pn.Imported().Name() == id.Name {
			name, good := fb.im.Name(file, pn.Imported())
			*ok = good && name == id.Name
			return *ok
		}
		*ok = false
		return false
	}
	if found != obj {
		*ok = false
	}
	return *ok
}

// lazily builds the pool on the method's first call through a sync.Once
// field, inserted before the statement that holds the pool.
func (fb *fieldBuild) lazily() ([]analysis.TextEdit, string) {
	r := fb.r
	typeName := fb.named.Obj().Name()
	if ms := types.NewMethodSet(fb.named); ms.Len() > 0 {
		return nil, fmt.Sprintf("%s has value-receiver methods (%s), which copy it, and a sync.Once to build the pool once must not be copied", typeName, ms.At(0).Obj().Name())
	}
	if _, at := fb.byValue(); at.IsValid() {
		return nil, fmt.Sprintf("%s is held or passed by value (%s), and a sync.Once to build the pool once must not be copied", typeName, edit.Position(r.pass.Fset, at))
	}
	if _, byValue := r.testMentions(fb.named); byValue {
		return nil, fmt.Sprintf("a test of the package names %s other than through a pointer, and a sync.Once to build the pool once must not be copied", typeName)
	}
	edit, why := fb.onceBefore(fb.expr, fb.recv)
	if why != "" {
		return nil, why
	}
	return []analysis.TextEdit{edit}, ""
}

// onceBefore inserts, before the statement that holds expr (a method's
// pool, configured from its receiver recv), the sync.Once call that
// builds the pool into the field.
func (fb *fieldBuild) onceBefore(expr ast.Expr, recv *types.Var) (analysis.TextEdit, string) {
	r := fb.r
	path := edit.PathTo(r.pass, expr)
	var stmt ast.Stmt
	for i, n := range path {
		s, ok := n.(ast.Stmt)
		if !ok || i+1 >= len(path) {
			continue
		}
		switch path[i+1].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			stmt = s
		}
		if stmt != nil {
			break
		}
	}
	if stmt == nil {
		return analysis.TextEdit{}, "no statement to build it before could be found"
	}
	indent, alone := edit.LineIndent(r.pass, stmt.Pos())
	if !alone {
		return analysis.TextEdit{}, "the statement that builds it does not start its line"
	}
	fileScope := r.pass.TypesInfo.Scopes[edit.FileOf(r.pass, stmt.Pos())]
	if fileScope == nil {
		return analysis.TextEdit{}, "no statement to build it before could be found"
	}
	scope := fileScope.Innermost(stmt.Pos())
	if scope == nil {
		return analysis.TextEdit{}, "no statement to build it before could be found"
	}
	if _, obj := scope.LookupParent(recv.Name(), stmt.Pos()); obj != recv {
		return analysis.TextEdit{}, "the receiver " + recv.Name() + " is shadowed where the pool is built"
	}
	text, ok := edit.Source(r.pass, expr)
	if !ok {
		return analysis.TextEdit{}, "its source could not be read"
	}
	name := recv.Name()
	once := fmt.Sprintf("%s.%sOnce.Do(func() {\n%s.%s = %s\n})", name, fb.field, name, fb.field, text)
	out, err := edit.Stmts(once, indent)
	if err != nil {
		return analysis.TextEdit{}, "the statement that builds it would not be valid Go"
	}
	tf := r.pass.Fset.File(stmt.Pos())
	at := tf.LineStart(tf.Line(stmt.Pos()))
	return analysis.TextEdit{Pos: at, End: at, NewText: []byte(out)}, ""
}

// testMentions scans the _test.go files next to the package's sources
// (both variants of the package see them: the edit must not depend on
// which one is analysed) for the type's name: any mention at all, and any
// that is not after & or * (a value of the type, which may be a copy).
func (r *reporter) testMentions(named *types.Named) (mentioned, byValue bool) {
	if len(r.pass.Files) == 0 {
		return false, false
	}
	dir := filepath.Dir(r.pass.Fset.File(r.pass.Files[0].Pos()).Name())
	tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	name := named.Obj().Name()
	for _, path := range tests {
		src, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(src, []byte(name)) {
			continue
		}
		fset := token.NewFileSet()
		var sc scanner.Scanner
		sc.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
		var prev [3]token.Token // the three tokens before, nearest first
		for {
			_, tok, lit := sc.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.IDENT && lit == name {
				mentioned = true
				before := prev[0]
				if before == token.PERIOD && prev[1] == token.IDENT {
					before = prev[2] // pkg.T
				}
				if before != token.AND && before != token.MUL {
					byValue = true
				}
			}
			prev[2], prev[1], prev[0] = prev[1], prev[0], tok
		}
	}
	return mentioned, byValue
}
