package input

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrNotRereadable says a line cannot be read again by its offset: stdin is
// gone, and a compressed file's offsets are in its decompressed stream.
var ErrNotRereadable = errors.New("input cannot be re-read by offset")

// ReadLine reads again the line that starts at byte offset of a plain file
// (Record.Input and Record.Offset), at most maxLine bytes of it, without
// its line ending. It is how the interface shows a raw line that it did not
// keep in memory.
func ReadLine(path string, offset int64, maxLine int) (string, error) {
	if path == StdinName {
		return "", fmt.Errorf("standard input: %w", ErrNotRereadable)
	}
	if isFIFO(path) {
		// Its lines are gone once read, and opening it could wait for ever.
		return "", fmt.Errorf("%s (named pipe): %w", path, ErrNotRereadable)
	}
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("re-reading a line: %w", err)
	}
	defer f.Close()
	var head [8]byte
	n, _ := f.ReadAt(head[:], 0)
	if c := sniff(head[:n]); c != compNone {
		return "", fmt.Errorf("%s (%s): %w", path, c, ErrNotRereadable)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return "", fmt.Errorf("re-reading %s at byte %d: %w", path, offset, err)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var line []byte
	for len(line) < maxLine {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
	}
	if len(line) > maxLine {
		line = line[:maxLine]
	}
	return string(bytes.TrimRight(line, "\r\n")), nil
}
