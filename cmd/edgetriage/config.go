package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileConfig is the config file: the same settings as the flags, which win.
//
//	burst_window: 60s
//	burst_min: 5
//	pending_timeout: 10m
//	group_by: host
//	max_pending: 250000
//	max_line: 1MiB
//	log_formats: ["cf/**=cloudflare", "web*/access.log*=nginx:$remote_addr ..."]
//	origins: ["web1/*=shop.example.com"]
//	rules: [/etc/edgetriage/rules.yaml]
//	redact: false
//	clickhouse_columns: ["EdgeResponseStatus=status", "OriginIP=origin_ip"]
//	mute: [{origin: legacy.example.com}, {kind: burst_5xx, status: 502}]
type fileConfig struct {
	BurstWindow    *duration `yaml:"burst_window"`
	BurstMin       *int      `yaml:"burst_min"`
	PendingTimeout *duration `yaml:"pending_timeout"`
	GroupBy        *string   `yaml:"group_by"`
	MaxPending     *int      `yaml:"max_pending"`
	MaxLine        *byteSize `yaml:"max_line"`
	LogFormats     []string  `yaml:"log_formats"`
	Origins        []string  `yaml:"origins"`
	Rules          []string  `yaml:"rules"`
	Redact         *bool     `yaml:"redact"`
	FailOn         *string   `yaml:"fail_on"`
	// ClickHouseColumns map Logpush fields to a table's columns, as
	// --ch-column does: ["EdgeResponseStatus=status"].
	ClickHouseColumns []string `yaml:"clickhouse_columns"`
	Mute              muteList `yaml:"mute"` // known trouble: hidden in the interface, ignored by --fail-on
}

type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = duration(v)
	return nil
}

type byteSize int64

func (b *byteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseByteSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = byteSize(v)
	return nil
}

// parseByteSize reads "1048576", "512KiB", "1MiB", "2MB" (MB = MiB here).
func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	lower := strings.ToLower(s)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}} {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.mult
			s = strings.TrimSpace(s[:len(s)-len(u.suffix)])
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 1MiB or 1048576)", s)
	}
	return n * mult, nil
}

// defaultConfigPath is $XDG_CONFIG_HOME/edgetriage/config.yaml (or
// ~/.config/edgetriage/config.yaml).
func defaultConfigPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "edgetriage", "config.yaml")
}

// loadConfig reads path. Only a config that was asked for (--config) must
// be readable: a default file that is missing is skipped, and one that
// cannot be read (a directory, a path through a plain file, no permission)
// gives a warning and the defaults. A file that was read but is not valid
// is an error either way: it says what its author meant.
func loadConfig(path string, explicit bool) (c *fileConfig, warning string, err error) {
	c = &fileConfig{}
	if path == "" {
		return c, "", nil
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
	case explicit:
		return nil, "", fmt.Errorf("config: %w", err)
	case errors.Is(err, fs.ErrNotExist):
		return c, "", nil
	default:
		return c, fmt.Sprintf("default config not read, using the defaults: %v", err), nil
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("config %s: %w", path, err)
	}
	return c, "", nil
}
