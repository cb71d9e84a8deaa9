package loadtest

import (
	"fmt"
	"strconv"
	"strings"
)

// Op is one kind of MCP request the load sends.
type Op string

// The operations a Mix can contain.
const (
	OpCall   Op = "call"   // tools/call of the echo tool
	OpList   Op = "list"   // tools/list
	OpRead   Op = "read"   // resources/read of the greeting resource
	OpPrompt Op = "prompt" // prompts/get of the greet prompt
)

var allOps = []Op{OpCall, OpList, OpRead, OpPrompt}

// DefaultMix is mostly tool calls, with some of everything else.
const DefaultMix = "call=85,list=5,read=5,prompt=5"

// Mix is a weighted choice of operations. Requests are spread over it
// deterministically (smooth weighted round robin), so two runs with the same
// mix send the same sequence.
type Mix struct {
	Ops     []Op
	Weights []int
	cycle   []Op
}

// ParseMix parses "call=85,list=5,read=5,prompt=5". Weights are
// non-negative integers; at least one must be positive.
func ParseMix(s string) (Mix, error) {
	var m Mix
	seen := map[Op]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		if !ok {
			return Mix{}, fmt.Errorf("mix %q: %q is not op=weight", s, part)
		}
		op := Op(strings.TrimSpace(name))
		valid := false
		for _, o := range allOps {
			valid = valid || o == op
		}
		if !valid {
			return Mix{}, fmt.Errorf("mix %q: unknown op %q (want call, list, read, prompt)", s, op)
		}
		if seen[op] {
			return Mix{}, fmt.Errorf("mix %q: %s given twice", s, op)
		}
		seen[op] = true
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 0 || n > 1000 {
			return Mix{}, fmt.Errorf("mix %q: weight of %s must be an integer in 0..1000", s, op)
		}
		if n > 0 {
			m.Ops = append(m.Ops, op)
			m.Weights = append(m.Weights, n)
		}
	}
	if len(m.Ops) == 0 {
		return Mix{}, fmt.Errorf("mix %q: no operation with a positive weight", s)
	}
	m.cycle = smoothCycle(m.Weights, m.Ops)
	return m, nil
}

// smoothCycle spreads the ops over one cycle of sum(weights) slots with
// smooth weighted round robin: call=2,list=1 gives call, list, call.
func smoothCycle(weights []int, ops []Op) []Op {
	total := 0
	for _, w := range weights {
		total += w
	}
	current := make([]int, len(weights))
	cycle := make([]Op, 0, total)
	for range total {
		best := 0
		for i, w := range weights {
			current[i] += w
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		cycle = append(cycle, ops[best])
	}
	return cycle
}

// Pick returns the operation of request i.
func (m Mix) Pick(i int) Op {
	return m.cycle[i%len(m.cycle)]
}

// Has reports whether the mix sends op.
func (m Mix) Has(op Op) bool {
	for _, o := range m.Ops {
		if o == op {
			return true
		}
	}
	return false
}

func (m Mix) String() string {
	parts := make([]string, len(m.Ops))
	for i, op := range m.Ops {
		parts[i] = fmt.Sprintf("%s=%d", op, m.Weights[i])
	}
	return strings.Join(parts, ",")
}
