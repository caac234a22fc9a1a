package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// StdinName is the path that stands for standard input.
const StdinName = "-"

// A directory without log files and a glob without matches are input
// errors when reading, but only "nothing yet" when following.
var (
	errNoLogFiles = errors.New("no log files in directory")
	errNoMatch    = errors.New("no files match")
)

// source is one input after expansion: a file to open, stdin, or a path
// that could not be used (err set).
type source struct {
	path  string // as the user gave it, or as found in a directory
	stdin bool
	size  int64 // on disk (compressed size for archives); 0 if unknown
	err   error
	open  func() (io.ReadCloser, error) // a Source's, instead of the path
}

// expand turns the user's paths into inputs: files as given, globs,
// directories (their log files, rotated families oldest first; the whole
// tree with recursive) and "-" for stdin. A path that cannot be used
// becomes an input with an error so the others still run. Each file appears
// once, in the order found.
func expand(paths []string, recursive bool) []source {
	var e expander
	return e.expand(paths, recursive)
}

// expander lists inputs and remembers the files of directories it left
// out as clearly not logs (see looksLikeLog and notLogContent). With all
// set it leaves out only hidden files.
type expander struct {
	all     bool
	skipped []string
}

func (e *expander) expand(paths []string, recursive bool) []source {
	var out []source
	seen := map[string]bool{}
	add := func(s source) {
		key := s.path
		if !s.stdin && s.err == nil {
			key = filepath.Clean(s.path)
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, s)
	}
	for _, p := range paths {
		if p == StdinName {
			add(source{path: StdinName, stdin: true})
			continue
		}
		info, err := os.Stat(p)
		switch {
		case err == nil && info.IsDir():
			files, derr := e.dirFiles(p, recursive)
			if derr != nil {
				add(source{path: p, err: derr})
			}
			if derr == nil && len(files) == 0 {
				add(source{path: p, err: fmt.Errorf("%s: %w", p, errNoLogFiles)})
			}
			for _, f := range files {
				add(f)
			}
		case err == nil:
			add(fileSource(p, info))
		case errors.Is(err, fs.ErrNotExist) && hasMeta(p):
			matches, gerr := filepath.Glob(p)
			if gerr != nil {
				add(source{path: p, err: fmt.Errorf("%s: bad pattern: %w", p, gerr)})
				continue
			}
			if len(matches) == 0 {
				add(source{path: p, err: fmt.Errorf("%s: %w", p, errNoMatch)})
				continue
			}
			var files []source
			for _, m := range matches {
				mi, merr := os.Stat(m)
				if merr != nil {
					files = append(files, source{path: m, err: merr})
					continue
				}
				if mi.IsDir() {
					if !recursive {
						continue // a glob that matches directories means their files only with -r
					}
					sub, derr := e.dirFiles(m, true)
					if derr != nil {
						files = append(files, source{path: m, err: derr})
					}
					files = append(files, sub...)
					continue
				}
				files = append(files, fileSource(m, mi))
			}
			for _, f := range orderFiles(files) {
				add(f)
			}
		default:
			add(source{path: p, err: err}) // *PathError already names the path
		}
	}
	return out
}

func fileSource(path string, info fs.FileInfo) source {
	if !info.Mode().IsRegular() && info.Mode()&fs.ModeNamedPipe == 0 && info.Mode()&fs.ModeCharDevice == 0 {
		return source{path: path, err: fmt.Errorf("%s: not a regular file", path)}
	}
	return source{path: path, size: info.Size()}
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// dirFiles lists the log files of dir (and of its subdirectories with
// recursive), ordered by folder, then family, oldest rotation first.
func (e *expander) dirFiles(dir string, recursive bool) ([]source, error) {
	var files []source
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			files = append(files, source{path: path, err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path == dir {
				return nil
			}
			if !recursive || strings.HasPrefix(name, ".") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") {
			return nil
		}
		if !e.all && !looksLikeLog(name) {
			e.skipped = append(e.skipped, path)
			return nil
		}
		info, ierr := d.Info()
		if ierr != nil {
			files = append(files, source{path: path, err: ierr})
			return nil
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		if !e.all && notLogContent(path) {
			e.skipped = append(e.skipped, path)
			return nil
		}
		files = append(files, source{path: path, size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return orderFiles(files), nil
}

// notLogExt are file kinds found beside logs that are never access logs.
var notLogExt = map[string]bool{
	".md": true, ".go": true, ".sh": true, ".py": true, ".yaml": true, ".yml": true,
	".toml": true, ".conf": true, ".cfg": true, ".ini": true, ".pid": true, ".lock": true,
	".swp": true, ".tmp": true, ".part": true, ".tar": true, ".zip": true, ".tgz": true,
	".png": true, ".jpg": true, ".gif": true, ".pdf": true, ".html": true, ".css": true, ".js": true,
	".sum": true, ".mod": true, ".exe": true, ".so": true, ".db": true, ".sqlite": true,
	// certificates and keys, patches, binaries and packages
	".pem": true, ".crt": true, ".cer": true, ".key": true, ".der": true, ".p12": true, ".pfx": true,
	".csr": true, ".patch": true, ".diff": true, ".rej": true, ".orig": true, ".bin": true, ".o": true,
	".a": true, ".class": true, ".jar": true, ".pyc": true, ".gpg": true, ".sig": true, ".asc": true,
	".deb": true, ".rpm": true, ".iso": true, ".img": true, ".svg": true, ".json5": true, ".txt~": true,
}

// notLogHeads are first bytes of files that are never access logs.
var notLogHeads = [][]byte{
	[]byte("-----BEGIN "),                   // PEM certificate, key, CSR
	[]byte("diff --git "), []byte("diff -"), // patches
	[]byte("Index: "), []byte("--- a/"), // svn and unified diffs
	[]byte("\x7fELF"), []byte("MZ"), // executables
	[]byte("%PDF-"), []byte("PK\x03\x04"), // documents, zip, jar
	[]byte("\x89PNG"), []byte("GIF8"), []byte("\xff\xd8\xff"), // images
	[]byte("SQLite format 3"), []byte("!<arch>"), // databases, ar archives
}

// notLogContent reports whether a directory's file is clearly not a log by
// its first bytes: a certificate, a patch (also git format-patch mail), an
// executable or image, or binary data that is not one of the compressions
// inputs are decompressed from. An unreadable file is kept, so that its
// error is shown.
func notLogContent(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var buf [1024]byte
	n, _ := io.ReadFull(f, buf[:])
	head := buf[:n]
	if n == 0 || sniff(head) != compNone {
		return false
	}
	for _, h := range notLogHeads {
		if bytes.HasPrefix(head, h) {
			return true
		}
	}
	if bytes.HasPrefix(head, []byte("From ")) && bytes.Contains(head, []byte("\nSubject: ")) {
		return true // git format-patch
	}
	return looksBinary(head)
}

// looksBinary: more than a tenth of head is neither text nor NUL. Runs of
// NUL bytes alone do not make a file binary: a log that lost its tail in a
// crash holds them where the file system left a hole. Control characters
// other than white space and bytes that are not UTF-8 count against it
// (a Latin-1 log has a few; random or compiled data about half).
func looksBinary(head []byte) bool {
	bad, total := 0, 0
	for i := 0; i < len(head); {
		c := head[i]
		switch {
		case c == 0:
			i++
			continue
		case c < utf8.RuneSelf:
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' || c == 0x7f {
				bad++
			}
			i++
		default:
			r, size := utf8.DecodeRune(head[i:])
			if r == utf8.RuneError && size == 1 && len(head)-i >= utf8.UTFMax {
				bad++
			}
			i += size
		}
		total++
	}
	return total > 0 && bad*10 > total
}

// SkippedNote is the one line that says which files of the directories
// were left out as not logs, or "" when none were.
func SkippedNote(skipped []string) string {
	if len(skipped) == 0 {
		return ""
	}
	names := make([]string, 0, 3)
	for _, p := range skipped[:min(len(skipped), 3)] {
		names = append(names, filepath.Base(p))
	}
	more := ""
	if len(skipped) > 3 {
		more = fmt.Sprintf(", +%d more", len(skipped)-3)
	}
	noun := "files that are not logs"
	if len(skipped) == 1 {
		noun = "file that is not a log"
	}
	return fmt.Sprintf("skipped %d %s (%s%s); --all-files to read them", len(skipped), noun, strings.Join(names, ", "), more)
}

// looksLikeLog decides which files of a directory are read: anything but
// hidden files, known non-log kinds and error logs (an nginx log directory
// holds error.log beside access.log; it is not an access log).
func looksLikeLog(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return false
	}
	family, _, _ := rotation(name)
	if notLogExt[strings.ToLower(filepath.Ext(family))] {
		return false
	}
	lower := strings.ToLower(family)
	return !strings.Contains(lower, "error") && !strings.HasPrefix(lower, "readme") &&
		!strings.HasPrefix(lower, "license") && !strings.HasPrefix(lower, "provenance")
}

var compressSuffixes = []string{".gz", ".zst", ".zstd", ".bz2", ".xz"}

// rotation splits a file name into its family (access.log) and where it
// sits in the rotation: kind 0 = dated (access.log-20261120[.gz]), ordered
// by the date; kind 1 = numbered (access.log.2.gz), higher is older; kind 2
// = the live file.
func rotation(name string) (family string, kind int, key string) {
	base := name
	for _, s := range compressSuffixes {
		if strings.HasSuffix(base, s) {
			base = strings.TrimSuffix(base, s)
			break
		}
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		if n := base[i+1:]; n != "" && isDigits(n) && len(n) < 6 {
			return base[:i], 1, n
		}
	}
	if i := strings.LastIndexAny(base, "-_."); i > 0 {
		if d := base[i+1:]; len(d) >= 8 && isDigits(d) {
			return base[:i], 0, d
		}
	}
	return base, 2, ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// orderFiles sorts by directory, then rotation family, then oldest first
// within the family (dated ascending, numbered descending, live last).
// Files of unrelated names sort by name, which for Logpush objects
// (20261120T000000Z_...) is time order.
func orderFiles(files []source) []source {
	type keyed struct {
		s              source
		dir, fam, rkey string
		kind           int
	}
	ks := make([]keyed, len(files))
	for i, f := range files {
		dir, name := filepath.Split(f.path)
		fam, kind, rkey := rotation(name)
		ks[i] = keyed{f, dir, fam, rkey, kind}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.dir != b.dir {
			return a.dir < b.dir
		}
		if a.fam != b.fam {
			return a.fam < b.fam
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		switch a.kind {
		case 0:
			return a.rkey < b.rkey
		case 1:
			an, _ := strconv.Atoi(a.rkey)
			bn, _ := strconv.Atoi(b.rkey)
			return an > bn
		}
		return a.s.path < b.s.path
	})
	out := make([]source, len(ks))
	for i, k := range ks {
		out[i] = k.s
	}
	return out
}

// Probe finds, before a run, the inputs that cannot be read as logs: paths
// that do not exist or cannot be opened, directories without log files,
// globs without matches, and files of binary data. readable counts the
// others (stdin among them). The interface calls it to fail fast when
// nothing can be read, instead of opening on an empty screen.
func Probe(paths []string, recursive, allFiles bool) (readable int, problems []error) {
	e := expander{all: allFiles}
	for _, s := range e.expand(paths, recursive) {
		switch {
		case s.stdin:
			readable++
		case s.err != nil:
			problems = append(problems, unableToOpen(s.err))
		default:
			if err := probeFile(s.path); err != nil {
				problems = append(problems, err)
				continue
			}
			readable++
		}
	}
	return readable, problems
}

func probeFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return unableToOpen(err)
	}
	defer f.Close()
	var buf [1024]byte
	n, err := io.ReadFull(f, buf[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("unable to read %s: %w", path, err)
	}
	if n > 0 && sniff(buf[:n]) == compNone && looksBinary(buf[:n]) {
		return fmt.Errorf("%s: binary data, not a log", path)
	}
	return nil
}

// unableToOpen words an open or stat error as "unable to open PATH: why".
func unableToOpen(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("unable to open %s: %w", pe.Path, pe.Err)
	}
	return err
}
