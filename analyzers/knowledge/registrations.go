package knowledge

// OnceField is a struct field whose function a CLI framework calls once
// per run of the process: code there is startup code, like main's.
type OnceField struct {
	Pkg, Type string
	Fields    []string
	Source    string
}

var cobraActions = []string{"Run", "RunE", "PreRun", "PreRunE", "PersistentPreRun", "PersistentPreRunE",
	"PostRun", "PostRunE", "PersistentPostRun", "PersistentPostRunE"}

var cliActions = []string{"Action", "Before", "After"}

// OnceFields are the CLI frameworks' command actions.
var OnceFields = []OnceField{
	{"github.com/spf13/cobra", "Command", cobraActions, "cobra: Command.Run/RunE and its hooks"},
	{"github.com/urfave/cli", "App", cliActions, "urfave/cli v1: App.Action"},
	{"github.com/urfave/cli", "Command", cliActions, "urfave/cli v1: Command.Action"},
	{"github.com/urfave/cli/v2", "App", cliActions, "urfave/cli v2: App.Action"},
	{"github.com/urfave/cli/v2", "Command", cliActions, "urfave/cli v2: Command.Action"},
	{"github.com/urfave/cli/v3", "Command", cliActions, "urfave/cli v3: Command.Action"},
	{"github.com/peterbourgon/ff/v3/ffcli", "Command", []string{"Exec"}, "ffcli: Command.Exec"},
}

// OnceMethod is a method of an interface that a CLI framework calls once
// per run of the process on the command the user named: code there is
// startup code, like main's, in every type that implements the interface.
type OnceMethod struct {
	Pkg, Iface, Method string
	Source             string
}

// OnceMethods are the command interfaces of the CLI frameworks that are
// known by an interface rather than a struct field.
var OnceMethods = []OnceMethod{
	{"github.com/mitchellh/cli", "Command", "Run", "mitchellh/cli: Command.Run"},
	{"github.com/hashicorp/cli", "Command", "Run", "hashicorp/cli (mitchellh/cli's fork): Command.Run"},
}

// Registrar is a call that hands code to a framework which then calls it
// once per request, event or tick.
type Registrar struct {
	Pkg    string // import path of the framework
	Recv   string // receiver type (or interface) of the method; "" for a function
	Name   string
	Arg    int    // the argument registered, receiver not counted
	Why    string // completes "<function> ...", for diagnostics
	Source string
}

// Registrars are the registration calls churnlint knows. A registered
// function, closure or method value runs per call; a registered value has
// its exported methods called per call.
var Registrars = []Registrar{
	{"github.com/robfig/cron/v3", "Cron", "AddFunc", 1, "is a cron job, run on every tick of its schedule", "robfig/cron v3: Cron.AddFunc"},
	{"github.com/robfig/cron", "Cron", "AddFunc", 1, "is a cron job, run on every tick of its schedule", "robfig/cron v1: Cron.AddFunc"},
	{"go.temporal.io/sdk/worker", "Worker", "RegisterActivity", 0, "is a Temporal activity, run for every activity task", "temporal: worker.Worker.RegisterActivity"},
	{"go.temporal.io/sdk/worker", "Worker", "RegisterActivityWithOptions", 0, "is a Temporal activity, run for every activity task", "temporal: worker.Worker.RegisterActivityWithOptions"},
	{"go.temporal.io/sdk/worker", "ActivityRegistry", "RegisterActivity", 0, "is a Temporal activity, run for every activity task", "temporal: worker.ActivityRegistry"},
	{"google.golang.org/grpc", "Server", "RegisterService", 1, "is a gRPC method, run for every call", "grpc: Server.RegisterService"},
	{"google.golang.org/grpc", "ServiceRegistrar", "RegisterService", 1, "is a gRPC method, run for every call", "grpc: ServiceRegistrar.RegisterService"},
}

// GRPCRegistrarTypes are the first parameter of the RegisterFooServer(s,
// srv FooServer) functions protoc-gen-go-grpc generates for every service:
// the methods of FooServer that srv implements run per call.
var GRPCRegistrarTypes = []Name{
	{"google.golang.org/grpc.ServiceRegistrar", "protoc-gen-go-grpc: RegisterFooServer(grpc.ServiceRegistrar, FooServer)"},
	{"google.golang.org/grpc.Server", "older protoc-gen-go: RegisterFooServer(*grpc.Server, FooServer)"},
}

// GRPCMethodWhy is the reason given for a method of a registered service.
const GRPCMethodWhy = "is a gRPC method, run for every call"

// RandomSources return a value that is new on every call: a map keyed by
// one of them (a session ticket) only grows, one entry per call.
var RandomSources = []Name{
	{"crypto/rand.Read", "crypto/rand"}, {"crypto/rand.Text", "crypto/rand"}, {"crypto/rand.Int", "crypto/rand"},
	{"math/rand.Int63", "math/rand"}, {"math/rand.Int", "math/rand"}, {"math/rand.Uint64", "math/rand"}, {"math/rand.Read", "math/rand"},
	{"math/rand.Intn", "math/rand"}, {"math/rand.Int31n", "math/rand"}, {"math/rand.Int63n", "math/rand"}, {"math/rand.Uint32", "math/rand"},
	{"math/rand/v2.Int64", "math/rand/v2"}, {"math/rand/v2.Uint64", "math/rand/v2"}, {"math/rand/v2.Int", "math/rand/v2"},
	{"math/rand/v2.IntN", "math/rand/v2"}, {"math/rand/v2.Int64N", "math/rand/v2"}, {"math/rand/v2.Uint32", "math/rand/v2"},
	{"github.com/google/uuid.New", "google/uuid"}, {"github.com/google/uuid.NewString", "google/uuid"},
	{"github.com/google/uuid.NewRandom", "google/uuid"}, {"github.com/google/uuid.NewV7", "google/uuid"},
	{"github.com/gofrs/uuid.NewV4", "gofrs/uuid"}, {"github.com/gofrs/uuid/v5.NewV4", "gofrs/uuid v5"},
	{"github.com/rs/xid.New", "rs/xid"}, {"github.com/oklog/ulid/v2.Make", "oklog/ulid v2"},
}

// OnceRunners run the function they are given once per process (or once
// per value they belong to), however often they are called: a literal
// handed to one is not per call. Keyed import/path.Func or
// import/path.Type.Method.
var OnceRunners = []Name{
	{"sync.Once.Do", "sync: Once.Do"},
	{"sync.OnceFunc", "sync: OnceFunc"},
	{"sync.OnceValue", "sync: OnceValue"},
	{"sync.OnceValues", "sync: OnceValues"},
}
