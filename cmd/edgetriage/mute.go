package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/edgetriage/edgetriage/rules"
	"go.yaml.in/yaml/v3"
)

// muteList is the config's mute: list.
type muteList = []rules.Mute

// maxUnmuted is the most severe finding that no mute silences: --fail-on
// ignores known trouble.
func maxUnmuted(snap *rules.Snapshot, mutes []rules.Mute) rules.Severity {
	var worst rules.Severity
	for i := range snap.Findings {
		f := &snap.Findings[i]
		if f.Severity > worst && !rules.Muted(mutes, f) {
			worst = f.Severity
		}
	}
	return worst
}

// muteSaver appends mutes to the config file's `mute:` list (creating the
// file and the list when needed, keeping the rest of the file); nil when
// there is no config path.
func muteSaver(path string) func(rules.Mute) error {
	if path == "" {
		return nil
	}
	return func(m rules.Mute) error { return appendMute(path, m) }
}

func appendMute(path string, m rules.Mute) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("config %s: %w", path, err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("config %s: not a mapping, cannot add mute", path)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "mute" {
			list = root.Content[i+1]
		}
	}
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "mute"}, list)
	}
	if list.Kind != yaml.SequenceNode {
		return fmt.Errorf("config %s: mute is not a list", path)
	}
	var entry yaml.Node
	if err := entry.Encode(m); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	entry.Style = yaml.FlowStyle
	list.Content = append(list.Content, &entry)
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
