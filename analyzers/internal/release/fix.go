package release

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// nillable reports whether a value of type t can be compared with nil.
func nillable(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Interface, *types.Map, *types.Chan, *types.Signature, *types.Slice:
		return true
	}
	return false
}

// HoldsFactory reports whether the field holds a function (a factory
// literal) that captured the pool rather than the pool itself.
func (f *Field) HoldsFactory() bool {
	_, ok := f.Var.Type().Underlying().(*types.Signature)
	return ok
}

// noReleaseMethod explains why no release can be inserted.
func noReleaseMethod(of *Field) edit.NoFix {
	if shared := of.Site.Fate.MergesShared; shared != "" {
		return edit.NoFix(fmt.Sprintf("%s may also hold %s, which it must not close; release it only where it holds the pool it created", of.Var.Name(), shared))
	}
	if of.HoldsFactory() {
		return edit.NoFix(fmt.Sprintf("the pool is captured by the function stored in %s (a factory), and nothing can reach it there to release it; keep the pool in a field of its own as well and release that field", of.Var.Name()))
	}
	if releaseStmt("x", of) == "" {
		return edit.NoFix(fmt.Sprintf("%s has no CloseIdleConnections or Close method to call; give the value it holds one and call it", types.TypeString(of.Var.Type(), nil)))
	}
	return "the method's receiver has no name, or its body could not be edited safely"
}

// releaseStmt renders the nil-guarded release of recv.field, or "" when
// the field's type has no release method to call (an interface that does
// not declare one: the fix would compile and release nothing).
func releaseStmt(recv string, of *Field) string {
	if of.Site.Fate.MergesShared != "" {
		return "" // closing it could close the shared default
	}
	x := recv + "." + of.Var.Name()
	for _, method := range []string{"CloseIdleConnections", "Close"} {
		obj, _, _ := types.LookupFieldOrMethod(of.Var.Type(), true, of.Var.Pkg(), method)
		fn, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		sig := fn.Signature()
		if sig.Params().Len() != 0 {
			continue
		}
		call := x + "." + method + "()"
		if sig.Results().Len() > 0 {
			call = "_ = " + call
		}
		if holdsHTTPClient(of.Var.Type()) && method == "CloseIdleConnections" {
			// A client with no Transport of its own is on
			// http.DefaultTransport: closing it would close the shared
			// pool's connections, not the owner's (traefik's forwardAuth).
			guard := x + ".Transport != nil"
			if nillable(of.Var.Type()) {
				guard = x + " != nil && " + guard
			}
			return fmt.Sprintf("if %s {\n\t%s\n}\n", guard, call)
		}
		if !nillable(of.Var.Type()) {
			return call + "\n"
		}
		return fmt.Sprintf("if %s != nil {\n\t%s\n}\n", x, call)
	}
	if of.HoldsRoundTripper() {
		// What http.Client.CloseIdleConnections does with its Transport.
		return fmt.Sprintf("if ci, ok := %s.(interface{ CloseIdleConnections() }); ok {\n\tci.CloseIdleConnections()\n}\n", x)
	}
	if getter := ClientGetter(of.Var.Type()); getter != "" && nillable(of.Var.Type()) {
		return fmt.Sprintf("if %s != nil {\n\tif c := %s.%s(); c != nil {\n\t\tc.CloseIdleConnections()\n\t}\n}\n", x, x, getter)
	}
	return ""
}

// ClientGetter names a method of t without parameters that hands back an
// *http.Client (go.d.plugin's prometheus.Prometheus.HTTPClient()), for a
// holder with no release method of its own: closing what it returns
// releases the pool; "" when there is none.
func ClientGetter(t types.Type) string {
	ms := types.NewMethodSet(t)
	if !types.IsInterface(t) {
		ms = types.NewMethodSet(types.NewPointer(t))
	}
	for i := 0; i < ms.Len(); i++ {
		fn, ok := ms.At(i).Obj().(*types.Func)
		if !ok || !fn.Exported() {
			continue
		}
		sig := fn.Signature()
		if sig.Params().Len() != 0 || sig.Results().Len() != 1 {
			continue
		}
		if ptr, ok := sig.Results().At(0).Type().(*types.Pointer); ok {
			if n, ok := types.Unalias(ptr.Elem()).(*types.Named); ok && n.Obj().Pkg() != nil &&
				n.Obj().Pkg().Path() == "net/http" && n.Obj().Name() == "Client" {
				return fn.Name()
			}
		}
	}
	return ""
}

// addMethodFix adds a release method after the owner's last method (or
// after its declaration): the host's Shutdown, or Close.
func (ow *Owners) addMethodFix(o *Owner, host *types.Named) (analysis.SuggestedFix, bool) {
	file, after := ow.lastDecl(o.Named)
	if file == nil {
		return analysis.SuggestedFix{}, false
	}
	recv := receiverName(file, o.Named)
	var body strings.Builder
	for _, f := range o.Fields {
		stmt := releaseStmt(recv, f)
		if stmt == "" {
			return analysis.SuggestedFix{}, false
		}
		body.WriteString(stmt)
	}
	var src string
	name := o.Named.Obj().Name()
	im := edit.NewImports(ow.pass)
	if host != nil {
		ctxName, ok := im.Name(file, types.NewPackage("context", "context"))
		if !ok {
			return analysis.SuggestedFix{}, false
		}
		src = fmt.Sprintf("// Shutdown releases the connection pools %s opened.\nfunc (%s *%s) Shutdown(ctx %s.Context) error {\n%sreturn nil\n}", name, recv, name, ctxName, body.String())
	} else if IsRoundTripper(o.Named) {
		src = fmt.Sprintf("// CloseIdleConnections closes the idle connections of the pools %s\n// opened: http.Client.CloseIdleConnections calls it on its Transport.\nfunc (%s *%s) CloseIdleConnections() {\n%s}", name, recv, name, body.String())
	} else {
		src = fmt.Sprintf("// Close releases the connection pools %s opened.\nfunc (%s *%s) Close() error {\n%sreturn nil\n}", name, recv, name, body.String())
	}
	formatted, err := edit.Decls(src)
	if err != nil {
		return analysis.SuggestedFix{}, false
	}
	edits := append([]analysis.TextEdit{{Pos: after, End: after, NewText: []byte("\n\n" + formatted + "\n")}}, im.Edits()...)
	return analysis.SuggestedFix{Message: "add a release method", TextEdits: edit.MergeInserts(edits)}, true
}

// insertReleaseFix inserts the release at the top of method m.
func (ow *Owners) insertReleaseFix(m *types.Func, of *Field) (analysis.SuggestedFix, bool) {
	decl := ow.funcDecl(m)
	if decl == nil || decl.Body == nil || decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return analysis.SuggestedFix{}, false
	}
	recv := decl.Recv.List[0].Names[0].Name
	if recv == "_" {
		return analysis.SuggestedFix{}, false
	}
	release := releaseStmt(recv, of)
	if release == "" {
		return analysis.SuggestedFix{}, false
	}
	fix := analysis.SuggestedFix{Message: "release " + of.Var.Name() + " in " + m.Name()}
	tf := ow.pass.Fset.File(decl.Body.Lbrace)
	if sib := siblingRelease(decl.Body, recv, of.Var.Name()); sib != nil {
		// The method already releases another pool of the owner, perhaps
		// only on some paths (retryablehttp's closeIdleConnections, every
		// hundredth request): release this one with it, at its indent.
		src, err := ow.pass.ReadFile(tf.Name())
		if err != nil {
			return analysis.SuggestedFix{}, false
		}
		start := tf.Offset(tf.LineStart(tf.Line(sib.Pos())))
		indent := string(src[start:tf.Offset(sib.Pos())])
		if strings.Trim(indent, "\t ") != "" {
			return analysis.SuggestedFix{}, false // not alone on its line
		}
		at := tf.LineStart(tf.Line(sib.End()) + 1)
		fix.TextEdits = []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(indented(release, indent))}}
		return fix, true
	}
	stmt := indented(release, "\t")
	line := tf.Line(decl.Body.Lbrace)
	if tf.Line(decl.Body.Rbrace) == line {
		// A one-line body: rewrite it as a block.
		var rest []byte
		if n := len(decl.Body.List); n > 0 {
			src, err := ow.pass.ReadFile(tf.Name())
			if err != nil {
				return analysis.SuggestedFix{}, false
			}
			rest = append([]byte("\t"), src[tf.Offset(decl.Body.List[0].Pos()):tf.Offset(decl.Body.List[n-1].End())]...)
			rest = append(rest, '\n')
		}
		fix.TextEdits = []analysis.TextEdit{{Pos: decl.Body.Lbrace, End: decl.Body.Rbrace + 1,
			NewText: []byte("{\n" + stmt + string(rest) + "}")}}
		return fix, true
	}
	// Insert after the method's own guards (if r == nil { return nil }),
	// which may protect the release from a nil receiver; else on the line
	// after the brace, so a comment on the brace's line stays where it is.
	at := tf.LineStart(line + 1)
	if g := leadingGuards(decl.Body); g != nil && tf.Line(g.End()) < tf.Line(decl.Body.Rbrace) {
		at = tf.LineStart(tf.Line(g.End()) + 1)
	}
	fix.TextEdits = []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(stmt)}}
	return fix, true
}

// indented prefixes every line of stmts with indent.
func indented(stmts, indent string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(stmts, "\n") {
		if line != "" {
			b.WriteString(indent + line)
		}
	}
	return b.String()
}

// siblingRelease returns the first statement of body that releases a field
// of the receiver other than field (recv.HTTPClient.CloseIdleConnections()),
// or nil.
func siblingRelease(body *ast.BlockStmt, recv, field string) ast.Stmt {
	var found ast.Stmt
	ast.Inspect(body, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false // runs some other time
		}
		stmt, ok := n.(*ast.ExprStmt)
		if !ok {
			return true
		}
		call, ok := stmt.X.(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return true
		}
		method, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (method.Sel.Name != "CloseIdleConnections" && method.Sel.Name != "Close") {
			return true
		}
		of, ok := method.X.(*ast.SelectorExpr)
		if !ok || of.Sel.Name == field {
			return true
		}
		if id, ok := of.X.(*ast.Ident); ok && id.Name == recv {
			found = stmt
		}
		return true
	})
	return found
}

// leadingGuards returns the last of the if statements a body starts with
// that only return (if c == nil { return nil }), or nil.
func leadingGuards(body *ast.BlockStmt) ast.Stmt {
	var last ast.Stmt
	for _, stmt := range body.List {
		is, ok := stmt.(*ast.IfStmt)
		if !ok || is.Else != nil || is.Init != nil || len(is.Body.List) == 0 {
			break
		}
		if _, ok := is.Body.List[len(is.Body.List)-1].(*ast.ReturnStmt); !ok {
			break
		}
		last = is
	}
	return last
}

// overrideFix writes the owner's own version of the promoted method m: it
// releases the pool, then calls the embedded one.
func (ow *Owners) overrideFix(o *Owner, of *Field, m *types.Func, via *types.Var) (analysis.SuggestedFix, edit.NoFix) {
	file, after := ow.lastDecl(o.Named)
	if file == nil {
		return analysis.SuggestedFix{}, edit.NoFix("the declaration of " + o.Named.Obj().Name() + " was not found")
	}
	recv := receiverName(file, o.Named)
	release := releaseStmt(recv, of)
	if release == "" {
		return analysis.SuggestedFix{}, noReleaseMethod(of)
	}
	im := edit.NewImports(ow.pass)
	sig := m.Signature()
	var params, args string
	switch {
	case sig.Params().Len() == 0:
	case sig.Params().Len() == 1 && sig.Params().At(0).Type().String() == "context.Context":
		ctxName, ok := im.Name(file, types.NewPackage("context", "context"))
		if !ok {
			return analysis.SuggestedFix{}, "the context package cannot be imported under its name in this file"
		}
		params, args = "ctx "+ctxName+".Context", "ctx"
	default:
		return analysis.SuggestedFix{}, edit.NoFix(m.Name() + "'s parameters are not ones a fix writes (none, or a context.Context)")
	}
	call := recv + "." + via.Name() + "." + m.Name() + "(" + args + ")"
	var results, tail string
	switch {
	case sig.Results().Len() == 0:
		tail = call + "\n"
	case sig.Results().Len() == 1 && sig.Results().At(0).Type().String() == "error":
		results, tail = " error", "return "+call+"\n"
	default:
		return analysis.SuggestedFix{}, edit.NoFix(m.Name() + "'s results are not ones a fix writes (none, or an error)")
	}
	name := o.Named.Obj().Name()
	src := fmt.Sprintf("// %s releases the connection pools %s opened, then shuts down its %s.\nfunc (%s *%s) %s(%s)%s {\n%s%s}",
		m.Name(), name, via.Name(), recv, name, m.Name(), params, results, release, tail)
	formatted, err := edit.Decls(src)
	if err != nil {
		return analysis.SuggestedFix{}, "the method could not be written"
	}
	edits := append([]analysis.TextEdit{{Pos: after, End: after, NewText: []byte("\n\n" + formatted + "\n")}}, im.Edits()...)
	return analysis.SuggestedFix{Message: "give " + name + " its own " + m.Name(), TextEdits: edit.MergeInserts(edits)}, ""
}

func (ow *Owners) funcDecl(m *types.Func) *ast.FuncDecl {
	for _, f := range ow.pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && ow.pass.TypesInfo.Defs[fd.Name] == m {
				return fd
			}
		}
	}
	return nil
}

// lastDecl returns the file holding the owner's type and the end of its
// last method in that file (or of the type declaration).
func (ow *Owners) lastDecl(n *types.Named) (*ast.File, token.Pos) {
	f := edit.FileOf(ow.pass, n.Obj().Pos())
	if f == nil {
		return nil, token.NoPos
	}
	var end token.Pos
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok && ow.pass.TypesInfo.Defs[ts.Name] == n.Obj() {
					end = max(end, d.End())
				}
			}
		case *ast.FuncDecl:
			if d.Recv != nil {
				if fn, ok := ow.pass.TypesInfo.Defs[d.Name].(*types.Func); ok && lifetime.RecvNamed(fn.Signature()) == n {
					end = max(end, d.End())
				}
			}
		}
	}
	return f, end
}

// receiverName is the receiver name the owner's methods use, or a letter.
func receiverName(file *ast.File, n *types.Named) string {
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 || len(fd.Recv.List[0].Names) == 0 {
			continue
		}
		t := fd.Recv.List[0].Type
		if st, ok := t.(*ast.StarExpr); ok {
			t = st.X
		}
		if id, ok := t.(*ast.Ident); ok && id.Name == n.Obj().Name() && fd.Recv.List[0].Names[0].Name != "_" {
			return fd.Recv.List[0].Names[0].Name
		}
	}
	return strings.ToLower(n.Obj().Name()[:1])
}

// IsRoundTripper reports whether *n is an http.RoundTripper: a decorator
// lives inside the http.Client that holds it, and the release that client
// forwards is CloseIdleConnections, not a Close nothing would call.
func IsRoundTripper(n *types.Named) bool {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(n), true, n.Obj().Pkg(), "RoundTrip")
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Signature()
	return sig.Params().Len() == 1 && sig.Results().Len() == 2 &&
		isPointerTo(sig.Params().At(0).Type(), "net/http", "Request") &&
		isPointerTo(sig.Results().At(0).Type(), "net/http", "Response")
}

func isPointerTo(t types.Type, pkg, name string) bool {
	ptr, ok := t.(*types.Pointer)
	return ok && isNamed(ptr.Elem(), pkg, name)
}

// holdsHTTPClient reports whether t is an http.Client or a pointer to one.
func holdsHTTPClient(t types.Type) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	return isNamed(t, "net/http", "Client")
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// CanRelease reports whether the field's type gives something to call to
// release the pool: a release method, a getter of its client, or (an
// http.RoundTripper) the forwarding http.Client does. A field that may hold
// a shared default has one; it is closing it that must not be written.
func CanRelease(of *Field) bool {
	if of.Site.Fate.MergesShared != "" {
		return true
	}
	return releaseStmt("x", of) != ""
}

// HoldsRoundTripper reports whether the field is an http.RoundTripper,
// released as http.Client releases its Transport.
func (f *Field) HoldsRoundTripper() bool { return isNamed(f.Var.Type(), "net/http", "RoundTripper") }
