package lifetime

// An accessPath is where a value holds the pool: the struct field indices
// from the value down to the pool, outermost first. The empty path is the
// pool itself; anyField stands for "somewhere inside" (after a call that
// wrapped it). It is a comparable value, so that the walk can remember the
// (value, path) pairs it has seen.
type accessPath struct {
	n     int // steps in use; maxPathSteps+1 means too long to follow
	steps [maxPathSteps]int
}

// anyField is the step of a value that holds the pool somewhere inside.
const anyField = -1

// maxPathSteps bounds access paths, so that recursive types cannot make
// the walk run away.
const maxPathSteps = 4

// somewhereInside is the path of a value that holds the pool somewhere.
var somewhereInside = accessPath{}.under(anyField)

func (p accessPath) empty() bool { return p.n == 0 }

// tooLong reports whether the path outgrew maxPathSteps: it is not followed.
func (p accessPath) tooLong() bool { return p.n > maxPathSteps }

// head splits off the outermost step; for the empty path it returns
// (anyField-1, empty), a step that matches no field and not anyField.
func (p accessPath) head() (int, accessPath) {
	if p.n == 0 || p.tooLong() {
		return anyField - 1, accessPath{}
	}
	rest := accessPath{n: p.n - 1}
	copy(rest.steps[:], p.steps[1:p.n])
	return p.steps[0], rest
}

// under returns the path of the pool from a value one field further out:
// step, then p.
func (p accessPath) under(step int) accessPath {
	if p.n >= maxPathSteps {
		return accessPath{n: maxPathSteps + 1}
	}
	out := accessPath{n: p.n + 1}
	out.steps[0] = step
	copy(out.steps[1:], p.steps[:p.n])
	return out
}
