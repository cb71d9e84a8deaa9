package gateway

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchDebounce collapses the burst of events one save makes (editors
// write, rename and chmod; a Kubernetes ConfigMap update swaps a symlink).
const watchDebounce = 250 * time.Millisecond

// WatchConfig reloads Options.ConfigPath whenever it changes, until ctx
// ends. It watches the file's directory, not the file, so that a file
// replaced by rename (editors, ConfigMap updates) is still seen. An
// invalid file is refused and logged like any reload; the watch goes on.
func (g *Gateway) WatchConfig(ctx context.Context) error {
	path := g.reloader.path
	if path == "" {
		return errors.New("watch: the gateway was started without a config file")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer w.Close()
	dir := filepath.Dir(path)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	target := filepath.Clean(path)
	g.logger.Info("watching the config file", "path", path)
	var debounce <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			// A ConfigMap swaps "..data", not the file itself.
			if filepath.Clean(ev.Name) != target && filepath.Base(ev.Name) != "..data" {
				continue
			}
			if ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) == 0 {
				continue
			}
			debounce = time.After(watchDebounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			g.logger.Warn("config watch error", "err", err)
		case <-debounce:
			debounce = nil
			rctx, cancel := context.WithTimeout(ctx, maxReloadWait)
			// Errors are logged and counted by the reload itself.
			_, _ = g.ReloadFile(rctx, TriggerWatch)
			cancel()
		}
	}
}
