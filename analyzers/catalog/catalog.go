// Package catalog indexes what creates a connection pool: the struct types
// whose allocation is a pool (http.Transport), and the functions and
// methods that return a fresh one. What is in it by default is data, in
// package knowledge; users add constructors with -clientchurn.constructors.
package catalog

import (
	"fmt"
	"go/types"
	"strings"
)

// Kind says what sort of pool owner a constructor returns. It travels
// through the analysis as a value; words for it are made only when a
// diagnostic or a fix is written (Phrase, Noun, ReleaseMethod).
type Kind int

const (
	Transport Kind = iota // an http.RoundTripper that owns idle connections
	Client                // an HTTP client that owns its transport
	Conn                  // a gRPC-style connection
)

// Phrase is how diagnostics name a pool of this kind.
func (k Kind) Phrase() string {
	switch k {
	case Transport:
		return "HTTP transport"
	case Client:
		return "HTTP client with its own transport"
	}
	return "client connection"
}

// Short is how a one-sentence finding names a pool of this kind.
func (k Kind) Short() string {
	switch k {
	case Transport:
		return "HTTP transport"
	case Client:
		return "HTTP client"
	}
	return "client connection"
}

// Noun is the short word fixes use in the names of the variables and
// fields they add ("handleTransport", s.client).
func (k Kind) Noun() string {
	switch k {
	case Client:
		return "client"
	case Conn:
		return "conn"
	}
	return "transport"
}

// ReleaseMethod is the method a diagnostic tells the user to call to free
// the idle connections of a pool of this kind. (Fixes call whichever of
// CloseIdleConnections and Close the field's type has.)
func (k Kind) ReleaseMethod() string {
	if k == Conn {
		return "Close"
	}
	return "CloseIdleConnections"
}

// Entry is one constructor of a pool owner.
type Entry struct {
	Pkg    string // import path
	Recv   string // receiver type name for a method, "" for a function
	Name   string // function or method name
	Result int    // index of the result that owns the pool
	Kind   Kind
	// GivenField names the field of the options struct passed as
	// argument GivenArg that, when the call sets it, makes the
	// constructor use the caller's transport instead of a new one
	// (minio.New(endpoint, &minio.Options{Transport: t})); "" for none.
	GivenArg   int
	GivenField string
}

// PoolType is a struct type whose allocation is itself a new pool.
type PoolType struct {
	Pkg, Name string
}

// Catalog is a set of pool types and constructors, indexed for lookup.
type Catalog struct {
	pools []PoolType
	byKey map[string]Entry
	pkgs  map[string]bool
}

// New indexes the given pool types and constructors.
func New(pools []PoolType, entries []Entry) *Catalog {
	c := &Catalog{pools: pools, byKey: make(map[string]Entry), pkgs: make(map[string]bool)}
	for _, e := range entries {
		c.byKey[key(e.Pkg, e.Recv, e.Name)] = e
		c.pkgs[e.Pkg] = true
	}
	for _, t := range pools {
		c.pkgs[t.Pkg] = true
	}
	return c
}

func key(pkg, recv, name string) string { return pkg + "." + recv + "." + name }

// Lookup reports whether fn is a catalogued constructor. Instantiated
// generic functions are looked up by their origin.
func (c *Catalog) Lookup(fn *types.Func) (Entry, bool) {
	if fn == nil || fn.Pkg() == nil {
		return Entry{}, false
	}
	fn = fn.Origin()
	recv := ""
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		t := sig.Recv().Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		n, ok := types.Unalias(t).(*types.Named)
		if !ok {
			return Entry{}, false
		}
		recv = n.Obj().Name()
	}
	e, ok := c.byKey[key(fn.Pkg().Path(), recv, fn.Name())]
	return e, ok
}

// PoolType reports whether t (a struct type, not a pointer) is allocated
// to make a pool.
func (c *Catalog) PoolType(t types.Type) (PoolType, bool) {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return PoolType{}, false
	}
	for _, pt := range c.pools {
		if n.Obj().Pkg().Path() == pt.Pkg && n.Obj().Name() == pt.Name {
			return pt, true
		}
	}
	return PoolType{}, false
}

// Mentions reports whether a package of this path defines a constructor or
// pool type, so that importing it makes a package worth analysing.
func (c *Catalog) Mentions(path string) bool { return c.pkgs[path] }

// ParseEntry parses one constructor written as "import/path.Func" or
// "import/path.Type.Method", for example "github.com/acme/httpx.NewClient"
// or "net/http.Transport.Clone". A suffix ":transport", ":client" or
// ":conn" sets the kind (client by default).
func ParseEntry(item string) (Entry, error) {
	e := Entry{Kind: Client}
	if name, kind, ok := strings.Cut(item, ":"); ok {
		switch kind {
		case "transport":
			e.Kind = Transport
		case "client":
			e.Kind = Client
		case "conn":
			e.Kind = Conn
		default:
			return Entry{}, fmt.Errorf("constructor %q: unknown kind %q (want transport, client or conn)", item, kind)
		}
		item = name
	}
	slash := strings.LastIndex(item, "/")
	parts := strings.Split(item[slash+1:], ".")
	prefix := item[:slash+1]
	switch len(parts) {
	case 2:
		e.Pkg, e.Name = prefix+parts[0], parts[1]
	case 3:
		e.Pkg, e.Recv, e.Name = prefix+parts[0], parts[1], parts[2]
	default:
		return Entry{}, fmt.Errorf("constructor %q: want import/path.Func or import/path.Type.Method", item)
	}
	if parts[0] == "" || e.Name == "" || (len(parts) == 3 && e.Recv == "") {
		return Entry{}, fmt.Errorf("constructor %q: want import/path.Func or import/path.Type.Method", item)
	}
	return e, nil
}
