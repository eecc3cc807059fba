package protocol

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/s2"
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
	return c.write(func(b []byte) []byte { return append(b, p...) })
}

// SendOps writes an Ops message of the operations in body, as Send of an
// Ops holding them would, with one copy fewer of each. Errors: as Send's,
// and ErrTooManyOps.
func (c *Conn) SendOps(body *OpsBody) error {
	p, err := body.bytes()
	if err != nil {
		return err
	}
	return c.write(func(b []byte) []byte { return appendOps(b, p) })
}

// maxKeptBuf bounds the send buffer a Conn keeps between frames: room for
// the largest frame, compressed or not, so that a first sync's chunks,
// megabytes each, do not each allocate their own.
var maxKeptBuf = 4 + s2.MaxEncodedLen(MaxFrame) + 1

// write writes the frame whose payload payload appends.
func (c *Conn) write(payload func([]byte) []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.buf = payload(append(c.buf[:0], 0, 0, 0, 0))
	n := len(c.buf) - 4
	if cap(c.buf) > maxKeptBuf {
		defer func() { c.buf = nil }()
	}
	if n > MaxFrame {
		return fmt.Errorf("%w: sending %d bytes", ErrFrameSize, n)
	}
	binary.BigEndian.PutUint32(c.buf, uint32(n))
	_, err := c.w.Write(c.buf)
	c.out.Add(int64(len(c.buf)))
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
