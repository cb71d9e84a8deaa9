// Package catalog lists what creates a connection pool: the types whose
// allocation is a pool (http.Transport), and the functions and methods that
// return a fresh one (Transport.Clone, go-cleanhttp, resty, retryablehttp,
// minio, gRPC). Adding a constructor is one line in Builtin, or one entry in
// the -clientchurn.constructors flag.
package catalog

import (
	"fmt"
	"go/types"
	"strings"
	"sync"
)

// Kind says what sort of pool owner a constructor returns; it picks the
// wording of diagnostics and the release method of fixes.
type Kind int

const (
	Transport Kind = iota // an http.RoundTripper that owns idle connections
	Client                // an HTTP client that owns its transport
	Conn                  // a gRPC-style connection
)

func (k Kind) String() string {
	switch k {
	case Transport:
		return "transport"
	case Client:
		return "client"
	default:
		return "connection"
	}
}

// Release is the method that frees the idle connections of each kind.
func (k Kind) Release() string {
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
}

// PoolType is a struct type whose allocation is itself a new pool.
type PoolType struct {
	Pkg, Name string
}

// PoolTypes are allocated with &T{} or new(T) to make a pool.
var PoolTypes = []PoolType{
	{"net/http", "Transport"},
	{"golang.org/x/net/http2", "Transport"},
}

// Builtin is the catalog shipped with churnlint.
var Builtin = []Entry{
	{Pkg: "net/http", Recv: "Transport", Name: "Clone", Kind: Transport},
	// cleanhttp.DefaultTransport and DefaultClient disable keep-alives:
	// they keep no idle connections, so making one per call costs nothing
	// a shared one would save. Only the pooled variants are pools.
	{Pkg: "github.com/hashicorp/go-cleanhttp", Name: "DefaultPooledTransport", Kind: Transport},
	{Pkg: "github.com/hashicorp/go-cleanhttp", Name: "DefaultPooledClient", Kind: Client},
	{Pkg: "github.com/go-resty/resty/v2", Name: "New", Kind: Client},
	{Pkg: "resty.dev/v3", Name: "New", Kind: Client},
	{Pkg: "github.com/hashicorp/go-retryablehttp", Name: "NewClient", Kind: Client},
	{Pkg: "github.com/minio/minio-go/v7", Name: "New", Kind: Client},
	{Pkg: "google.golang.org/grpc", Name: "Dial", Kind: Conn},
	{Pkg: "google.golang.org/grpc", Name: "DialContext", Kind: Conn},
	{Pkg: "google.golang.org/grpc", Name: "NewClient", Kind: Conn},
}

// KeepsOnlyForUse lists functions outside the analysed code that take a pool
// as an argument, configure or wrap it, and do not keep it anywhere.
// Anything not listed and not analysed is assumed to keep its arguments.
var KeepsOnlyForUse = map[string]bool{
	"golang.org/x/net/http2.ConfigureTransport":  true,
	"golang.org/x/net/http2.ConfigureTransports": true,
}

// Catalog is a set of constructors, indexed for lookup by function.
type Catalog struct {
	entries []Entry
	byKey   map[string]Entry
	pkgs    map[string]bool
}

// New indexes the given entries.
func New(entries []Entry) *Catalog {
	c := &Catalog{byKey: make(map[string]Entry), pkgs: make(map[string]bool)}
	for _, e := range entries {
		c.entries = append(c.entries, e)
		c.byKey[key(e.Pkg, e.Recv, e.Name)] = e
		c.pkgs[e.Pkg] = true
	}
	for _, t := range PoolTypes {
		c.pkgs[t.Pkg] = true
	}
	return c
}

func key(pkg, recv, name string) string { return pkg + "." + recv + "." + name }

// Entries returns the catalog's constructors in the order given.
func (c *Catalog) Entries() []Entry { return c.entries }

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

// IsPoolType reports whether t (a struct type, not a pointer) is allocated
// to make a pool.
func IsPoolType(t types.Type) (PoolType, bool) {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return PoolType{}, false
	}
	for _, pt := range PoolTypes {
		if n.Obj().Pkg().Path() == pt.Pkg && n.Obj().Name() == pt.Name {
			return pt, true
		}
	}
	return PoolType{}, false
}

// Mentions reports whether a package of this path defines a constructor or
// pool type, so that importing it makes a package worth analysing.
func (c *Catalog) Mentions(path string) bool { return c.pkgs[path] }

// ParseEntries parses a comma-separated list of constructors written as
// "import/path.Func" or "import/path.Type.Method", for example
// "github.com/acme/httpx.NewClient,net/http.Transport.Clone". A suffix
// ":transport", ":client" or ":conn" sets the kind (client by default).
func ParseEntries(list string) ([]Entry, error) {
	var out []Entry
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		e, err := parseEntry(item)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func parseEntry(item string) (Entry, error) {
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

// Extra holds constructors added by the user; it is a flag.Value so that
// each analyzer can expose it under its own name.
type Extra struct {
	mu      sync.Mutex
	raw     string
	entries []Entry
}

func (x *Extra) String() string {
	if x == nil {
		return ""
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.raw
}

// Set parses and appends a list of constructors.
func (x *Extra) Set(s string) error {
	entries, err := ParseEntries(s)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.raw != "" {
		x.raw += ","
	}
	x.raw += s
	x.entries = append(x.entries, entries...)
	return nil
}

// Catalog returns the builtin catalog plus the user's constructors.
func (x *Extra) Catalog() *Catalog {
	x.mu.Lock()
	defer x.mu.Unlock()
	return New(append(append([]Entry(nil), Builtin...), x.entries...))
}
