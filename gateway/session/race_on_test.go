//go:build race

package session

// raceEnabled: the race detector changes allocation counts (and sync.Pool
// drops items on purpose), so allocation bounds are not checked under it.
const raceEnabled = true
