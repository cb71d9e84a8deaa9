package clientchurn

// The field fix: a method that builds a pool per call from its receiver's
// fields gets it built once per receiver, in a new field, with the release
// clientshutdown would ask for (release.ForNewField).

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"

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
