package protocol

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// Errors of frames and messages.
var (
	// ErrFrameSize: a frame announces a length of zero or above MaxFrame.
	ErrFrameSize = errors.New("frame size out of bounds")
	// ErrMalformed: a frame's body does not decode as the message it claims
	// to be, within the limits.
	ErrMalformed = errors.New("malformed message")
)

func malformed(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, a...))
}

// ReadFrame reads one frame's payload from r, allocating at most max bytes.
// Errors: ErrFrameSize, io.EOF before a frame starts, io.ErrUnexpectedEOF
// in the middle of one, or r's.
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > uint32(max) {
		return nil, fmt.Errorf("%w: %d bytes (at most %d)", ErrFrameSize, n, max)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return p, nil
}

// AppendFrame appends p as a frame.
func AppendFrame(b, p []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
	return append(b, p...)
}

// Conn sends and receives messages over a byte stream that is already
// private and authenticated (or, in tests, an io.Pipe). Send may be called
// from one goroutine and Recv from another.
type Conn struct {
	r *bufio.Reader
	w io.Writer
	c io.Closer

	wmu sync.Mutex
	buf []byte

	in, out atomic.Int64 // bytes of frames received and sent
}

// NewConn returns a Conn over rw. Close closes rw if it is an io.Closer.
func NewConn(rw io.ReadWriter) *Conn {
	c := &Conn{r: bufio.NewReaderSize(rw, 64<<10), w: rw}
	c.c, _ = rw.(io.Closer)
	return c
}

// Send writes m as one frame. Errors: ErrFrameSize when m is too large, or
// the stream's.
func (c *Conn) Send(m Message) error {
	p, err := Encode(m)
	if err != nil {
		return err
	}
	if len(p) > MaxFrame {
		return fmt.Errorf("%w: sending %d bytes", ErrFrameSize, len(p))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.buf = AppendFrame(c.buf[:0], p)
	_, err = c.w.Write(c.buf)
	c.out.Add(int64(len(c.buf)))
	if cap(c.buf) > 1<<20 {
		c.buf = nil
	}
	return err
}

// Recv reads the next message. Errors: ErrFrameSize, ErrMalformed, io.EOF
// when the peer closed between frames, io.ErrUnexpectedEOF, or the
// stream's.
func (c *Conn) Recv() (Message, error) {
	p, err := ReadFrame(c.r, MaxFrame)
	if err != nil {
		return nil, err
	}
	c.in.Add(int64(len(p) + 4))
	return Decode(p)
}

// BytesIn and BytesOut count the bytes of frames received and sent.
func (c *Conn) BytesIn() int64  { return c.in.Load() }
func (c *Conn) BytesOut() int64 { return c.out.Load() }

// Close closes the underlying stream, if it can be closed.
func (c *Conn) Close() error {
	if c.c == nil {
		return nil
	}
	return c.c.Close()
}
