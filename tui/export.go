package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// exportCmd renders and writes an export off the UI goroutine. Everything
// it needs is captured now, in Update: later snapshots do not change it.
func exportCmd(gen int, c *common, req exportRequest) tea.Cmd {
	data := exportData{
		snap: c.snap, inputs: c.inputs, totals: c.totals, finding: req.finding,
		redact: c.opts.Redact, markdown: req.markdown, scope: req.scope,
	}
	dir := c.opts.ExportDir
	name := exportName(req, c.opts.now())
	return func() tea.Msg {
		body, err := renderExport(data)
		if err != nil {
			return exportDoneMsg{gen: gen, err: err}
		}
		path, err := writeExport(dir, name, body)
		return exportDoneMsg{gen: gen, path: path, err: err}
	}
}

// exportName is a file name that says what is in it and sorts by time.
func exportName(req exportRequest, now time.Time) string {
	ext := ".json"
	if req.markdown {
		ext = ".md"
	}
	what := "report"
	if req.scope == exportFinding && req.finding != nil {
		what = "finding-" + safeName(req.finding.ID)
	}
	return "edgetriage-" + what + "-" + now.UTC().Format("20060102-150405") + ext
}

// safeName keeps a finding id usable as part of a file name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 80 {
			break
		}
	}
	return b.String()
}

// writeExport writes body to dir/name without replacing an existing file
// (a second export in the same second gets a numbered name).
func writeExport(dir, name string, body []byte) (string, error) {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("export directory: %w", err)
	}
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 0; i < 100; i++ {
		path := filepath.Join(dir, name)
		if i > 0 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d%s", base, i, ext))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("export: %w", err)
		}
		_, werr := f.Write(body)
		cerr := f.Close()
		if werr != nil || cerr != nil {
			os.Remove(path)
			return "", fmt.Errorf("export %s: write failed: %v %v", path, werr, cerr)
		}
		return path, nil
	}
	return "", fmt.Errorf("export: too many files named %s in %s", name, dir)
}
