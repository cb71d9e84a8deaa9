// Package unseen holds the shapes of real code churnlint had never seen
// when it misjudged them: the false positives (no want) next to the true
// findings they must not hide (want), each file one cause.
package unseen
