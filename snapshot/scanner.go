package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/heapscope/heapscope/internal/panicerr"
)

// Error is a parse error: what is wrong, in which section, at which byte
// offset of the (decompressed) input.
type Error struct {
	Section string
	Offset  int64
	Msg     string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (at byte %d)", e.Section, e.Msg, e.Offset)
}

// Chunks start at firstChunkSize and grow fourfold up to chunkSize, so that
// a small input costs small buffers.
const (
	chunkSize      = 4 << 20
	firstChunkSize = 64 << 10
)

// scanner reads JSON tokens from a stream of chunks. A goroutine reads (and
// decompresses) the next chunks while the parser works on the current one.
type scanner struct {
	buf     []byte
	pos     int
	base    int64 // input offset of buf[0]
	section string

	chunks   chan chunk
	free     chan []byte
	done     chan struct{}
	readErr  error
	eof      bool
	pooled   bool // buf belongs to the read-ahead pool
	progress func(int64)
}

type chunk struct {
	b   []byte
	err error
}

func newScanner(r io.Reader, progress func(int64)) *scanner {
	s := &scanner{
		chunks:   make(chan chunk, 2),
		free:     make(chan []byte, 3),
		done:     make(chan struct{}),
		progress: progress,
		section:  "header",
	}
	for i := 0; i < 3; i++ {
		s.free <- nil // allocated by readLoop when first needed
	}
	go func() {
		defer close(s.chunks)
		// A panic while reading (in a decompressor, say) reaches the
		// parser as the read error.
		if err := panicerr.Call("snapshot: read-ahead", func() error { s.readLoop(r); return nil }); err != nil {
			select {
			case s.chunks <- chunk{nil, err}:
			case <-s.done:
			}
		}
	}()
	return s
}

func (s *scanner) readLoop(r io.Reader) {
	size := firstChunkSize
	for {
		var b []byte
		select {
		case b = <-s.free:
		case <-s.done:
			return
		}
		if cap(b) < size {
			b = make([]byte, size) // replaces a smaller buffer of the pool
		}
		size = min(4*size, chunkSize)
		n, err := readFull(r, b[:cap(b)])
		if n > 0 || err != nil {
			select {
			case s.chunks <- chunk{b[:n], err}:
			case <-s.done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// readFull fills b from r like io.ReadFull, but passes on r's own errors
// unchanged: io.ReadFull turns an early io.EOF into io.ErrUnexpectedEOF, so
// an io.ErrUnexpectedEOF from r itself (a truncated gzip stream) could not be
// told from the normal end of the input.
func readFull(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// close stops the read-ahead goroutine.
func (s *scanner) close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
}

// fill makes the next chunk current. It returns false at the end of the input.
func (s *scanner) fill() bool {
	for {
		if s.eof {
			return false
		}
		old := s.buf
		c, ok := <-s.chunks
		if !ok {
			s.eof = true
			return false
		}
		s.base += int64(len(old))
		if s.pooled {
			s.free <- old[:cap(old)]
		}
		s.buf, s.pos, s.pooled = c.b, 0, true
		if c.err != nil {
			s.eof = true
			if c.err != io.EOF {
				s.readErr = c.err
			}
		}
		if s.progress != nil {
			s.progress(s.base + int64(len(s.buf)))
		}
		if len(s.buf) > 0 {
			return true
		}
	}
}

func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

func (s *scanner) errorf(format string, args ...any) error {
	return &Error{Section: s.section, Offset: s.offset(), Msg: fmt.Sprintf(format, args...)}
}

// truncated returns the error for an input that ends (or fails) too early.
func (s *scanner) truncated() error {
	if pe, ok := s.readErr.(*panicerr.Error); ok {
		return pe
	}
	if s.readErr == errTrailingGzip {
		return s.errorf("%v", errTrailingGzip)
	}
	if s.readErr != nil && s.readErr != io.ErrUnexpectedEOF {
		return &Error{Section: s.section, Offset: s.offset(), Msg: "read failed: " + s.readErr.Error()}
	}
	return s.errorf("unexpected end of input (file truncated?)")
}

// peek returns the next non-space byte without consuming it.
func (s *scanner) peek() (byte, error) {
	for {
		for s.pos < len(s.buf) {
			c := s.buf[s.pos]
			if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
				s.pos++
				continue
			}
			return c, nil
		}
		if !s.fill() {
			return 0, s.truncated()
		}
	}
}

// atEOF reports whether only white space is left.
func (s *scanner) atEOF() bool {
	_, err := s.peek()
	return err != nil && s.readErr == nil
}

func (s *scanner) expect(want byte) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != want {
		return s.errorf("expected %q, found %s", want, quoteByte(c))
	}
	s.pos++
	return nil
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// stringValue reads a JSON string and appends its value, in WTF-8, to dst.
// It fails once the decoded string would exceed limit bytes, with an error
// at the offset where the string starts.
func (s *scanner) stringValue(dst []byte, limit int) ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return dst, err
	}
	begin := s.offset() - 1
	start := len(dst)
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			return dst, s.truncated()
		}
		b := s.buf[s.pos:]
		i := 0
		for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
			i++
		}
		dst = append(dst, b[:i]...)
		s.pos += i
		if len(dst)-start > limit {
			return dst, &Error{Section: s.section, Offset: begin, Msg: "string longer than " + byteSize(limit)}
		}
		if i == len(b) {
			continue
		}
		switch c := b[i]; {
		case c == '"':
			s.pos++
			return dst, nil
		case c < 0x20:
			return dst, s.errorf("control character 0x%02x in string", c)
		}
		s.pos++ // the backslash
		c, err := s.rawByte()
		if err != nil {
			return dst, err
		}
		switch c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			u, err := s.hex4()
			if err != nil {
				return dst, err
			}
			r := rune(u)
			if u >= 0xD800 && u < 0xDC00 {
				// A high surrogate: combine with a following low one.
				if lo, ok := s.lowSurrogate(); ok {
					r = 0x10000 + (rune(u)-0xD800)<<10 + (rune(lo) - 0xDC00)
				}
			}
			dst = appendWTF8(dst, r)
		default:
			return dst, s.errorf("invalid escape \\%c in string", c)
		}
	}
}

// skipString skips a JSON string, checking it as stringValue does but
// keeping nothing, so that a section heapscope does not read costs no
// memory however long its strings are.
func (s *scanner) skipString() error {
	if err := s.expect('"'); err != nil {
		return err
	}
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			return s.truncated()
		}
		b := s.buf[s.pos:]
		i := 0
		for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
			i++
		}
		s.pos += i
		if i == len(b) {
			continue
		}
		switch c := b[i]; {
		case c == '"':
			s.pos++
			return nil
		case c < 0x20:
			return s.errorf("control character 0x%02x in string", c)
		}
		s.pos++ // the backslash
		c, err := s.rawByte()
		if err != nil {
			return err
		}
		switch c {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if _, err := s.hex4(); err != nil {
				return err
			}
		default:
			return s.errorf("invalid escape \\%c in string", c)
		}
	}
}

// byteSize formats a limit in bytes for an error message: "64 MiB".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (s *scanner) rawByte() (byte, error) {
	if s.pos >= len(s.buf) && !s.fill() {
		return 0, s.truncated()
	}
	c := s.buf[s.pos]
	s.pos++
	return c, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (s *scanner) hex4() (uint16, error) {
	var v uint16
	for k := 0; k < 4; k++ {
		c, err := s.rawByte()
		if err != nil {
			return 0, err
		}
		d, ok := hexDigit(c)
		if !ok {
			return 0, s.errorf("invalid \\u escape in string")
		}
		v = v<<4 | uint16(d)
	}
	return v, nil
}

// lowSurrogate consumes a following \uDC00-\uDFFF escape if there is one.
// It needs six bytes of lookahead, which may straddle a chunk boundary; in
// that case the bytes are carried into the next chunk.
func (s *scanner) lowSurrogate() (uint16, bool) {
	if len(s.buf)-s.pos < 6 {
		s.carry()
	}
	b := s.buf[s.pos:]
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var v uint16
	for _, c := range b[2:6] {
		d, ok := hexDigit(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	if v < 0xDC00 || v > 0xDFFF {
		return 0, false
	}
	s.pos += 6
	return v, true
}

// carry joins the rest of this chunk with the next one, so that a short
// lookahead never straddles a chunk boundary.
func (s *scanner) carry() {
	rest := append([]byte(nil), s.buf[s.pos:]...)
	restBase := s.offset()
	if !s.fill() {
		s.buf, s.pos, s.base, s.pooled = rest, 0, restBase, false
		return
	}
	// The joined copy replaces the chunk, which goes back to the pool now.
	joined := append(rest, s.buf...)
	s.free <- s.buf[:cap(s.buf)]
	s.buf, s.pos, s.base, s.pooled = joined, 0, restBase, false
}

// skipValue skips one JSON value of any kind, without recursion.
func (s *scanner) skipValue() error {
	depth := 0
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch c {
		case '{', '[':
			s.pos++
			depth++
			continue
		case '}', ']':
			if depth == 0 {
				return s.errorf("unexpected %q", c)
			}
			s.pos++
			depth--
		case '"':
			if err := s.skipString(); err != nil {
				return err
			}
		case ',', ':':
			if depth == 0 {
				return s.errorf("unexpected %q", c)
			}
			s.pos++
			continue
		default:
			if err := s.skipScalar(); err != nil {
				return err
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// skipScalar skips a number or true/false/null.
func (s *scanner) skipScalar() error {
	n := 0
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			if n > 0 {
				return nil
			}
			return s.truncated()
		}
		c := s.buf[s.pos]
		if (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E' {
			s.pos++
			n++
			continue
		}
		if n == 0 {
			return s.errorf("unexpected %s", quoteByte(c))
		}
		return nil
	}
}

// rawObject returns the bytes of one JSON object, at most limit bytes long.
func (s *scanner) rawObject(limit int) ([]byte, error) {
	if c, err := s.peek(); err != nil {
		return nil, err
	} else if c != '{' {
		return nil, s.errorf("expected an object, found %s", quoteByte(c))
	}
	var out []byte
	depth := 0
	inString, escaped := false, false
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			return nil, s.truncated()
		}
		c := s.buf[s.pos]
		s.pos++
		out = append(out, c)
		if len(out) > limit {
			return nil, s.errorf("object longer than %d bytes", limit)
		}
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return out, nil
			}
		}
	}
}

var errStop = errors.New("stop")

// maxSafe bounds every number: JavaScript represents integers exactly only
// up to 2^53, and DevTools reads the arrays as such numbers.
const maxSafe = 1 << 53

// uintArray reads a JSON array of non-negative integers and hands them to
// consume in batches, each number as a value or a digit word (pass it to
// number); consume returns the buffer to fill next. It is the parser's hot
// loop and allocates nothing. Numbers in the layout V8 writes go through
// fastNumbers, a word at a time; the end of each chunk, every other layout
// and every error go through a byte-at-a-time state machine.
func (s *scanner) uintArray(batch []uint64, consume func([]uint64) ([]uint64, error)) error {
	if err := s.expect('['); err != nil {
		return err
	}
	const (
		wantValue = iota // at the start or after a comma
		inNumber
		afterNumber
	)
	state, n, first := wantValue, 0, true
	var v uint64
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			return s.truncated()
		}
		b := s.buf[s.pos:]
		i := 0
		for i < len(b) {
			if state == wantValue {
				if b[i]-'0' <= 9 && len(b)-i >= len(block{}) {
					var more bool
					i, n, v, more = fastNumbers(b, i, batch, n)
					first = false // as the comma after a number would set it
					if more {
						state = inNumber
					} else if n == len(batch) {
						next, err := consume(batch)
						if err != nil {
							s.pos += i - 1 // at the comma
							return err
						}
						batch, n = next, 0
						continue
					}
				}
			}
			c := b[i]
			if d := c - '0'; d <= 9 {
				if state == afterNumber {
					s.pos += i
					return s.errorf("missing comma between numbers")
				}
				if state == inNumber && v == 0 {
					// JSON has no leading zeros ("007"); V8 never writes them.
					s.pos += i
					return s.errorf("number with a leading zero")
				}
				if v >= maxSafe/10 {
					s.pos += i
					return s.errorf("number out of range")
				}
				v = v*10 + uint64(d)
				state = inNumber
				i++
				continue
			}
			switch c {
			case ',':
				if state == wantValue {
					s.pos += i
					return s.errorf("expected a number, found ','")
				}
				batch[n] = v
				n++
				v, state = 0, wantValue
				if n == len(batch) {
					next, err := consume(batch)
					if err != nil {
						s.pos += i
						return err
					}
					batch, n = next, 0
				}
			case ']':
				if state == wantValue && !first {
					s.pos += i
					return s.errorf("expected a number, found ']'")
				}
				if state != wantValue {
					batch[n] = v
					n++
				}
				s.pos += i + 1
				if n > 0 {
					_, err := consume(batch[:n])
					return err
				}
				return nil
			case ' ', '\n', '\r', '\t':
				if state == inNumber {
					state = afterNumber
				}
				i++
				continue // white space leaves first as it is: "[ ]" is empty
			default:
				s.pos += i
				if c == '-' || c == '.' || c == 'e' || c == 'E' {
					return s.errorf("number is not a non-negative integer")
				}
				return s.errorf("unexpected %s in number array", quoteByte(c))
			}
			first = false
			i++
		}
		s.pos += i
	}
}

// fastNumbers is the fast path of uintArray, for as long as the numbers come
// in the layout V8 writes: each of at most 15 digits, followed by a comma, or
// by a newline and a comma. It reads numbers from b[i:], where one starts,
// into batch[n:] and returns the new i and n. Where a number is longer or
// ends otherwise, it stops with i in or at the end of that number, v the
// value of its digits up to i and more set: the slow path goes on from
// there. Else it stops at the start of a value: when batch is full, when
// fewer than len(block) bytes are left, or when a comma is not followed by
// a digit.
func fastNumbers(b []byte, i int, batch []uint64, n int) (next, filled int, v uint64, more bool) {
	for len(b)-i >= len(block{}) {
		blk := (*block)(b[i:])
		digits := blk.digits()
		starts := digits &^ (digits << 1)
		ends := digits &^ (digits>>1 | 1<<63) // last digits of numbers that end in the block
		if starts&1 == 0 {
			return i, n, 0, false
		}
		at := 0 // where the number at hand starts; always < 64
		for {
			if ends == 0 {
				if at == 0 {
					// 64 digits or more: the slow path finds the number
					// out of range.
					return i + 8, n, number(digitWord(blk[:], 8)), true
				}
				i += at // the next block starts with this number
				break
			}
			end := bits.TrailingZeros64(ends) + 1
			ends &= ends - 1
			if blk[at&63] == '0' && end-at > 1 {
				// A leading zero: the slow path rejects the next digit.
				return i + at + 1, n, 0, true
			}
			var x uint64
			if k := end - at; k <= 8 {
				x = digitWord(blk[at&63:], k) // the store converts it
			} else if k <= 15 {
				// Below 10^15, so in range (maxSafe is about 9×10^15).
				x = number(digitWord(blk[at&63:], k-8))*1e8 + number(digitWord(blk[(end-8)&63:], 8))
			} else {
				// The slow path checks the range digit by digit.
				return i + at + 8, n, number(digitWord(blk[at&63:], 8)), true
			}
			comma := end
			if blk[comma] == '\n' {
				comma++
			}
			if blk[comma] != ',' {
				return i + end, n, number(x), true
			}
			batch[n] = x
			n++
			at = comma + 1
			if n == len(batch) {
				return i + at, n, 0, false
			}
			if at >= 64 {
				i += at // the next number starts in the next block
				break
			}
			if starts&(1<<uint(at)) == 0 {
				return i + at, n, 0, false // not a digit after the comma
			}
		}
	}
	return i, n, 0, false
}

// block is the window of the fast path of uintArray: 64 bytes whose digits
// it finds at once, and 16 more so that it can read eight bytes at any of
// the 64 and look at the two bytes after a number that ends at the last one.
type block [80]byte

// digits returns a mask of the decimal digits among the first 64 bytes of
// blk: bit i is set if blk[i] is a digit. Finding them eight bytes at a time
// without branches, rather than byte by byte, is what makes the fast path
// fast: the loop over the numbers then depends on no load and mispredicts no
// branch where a number ends. This is the SIMD-within-a-register technique
// of Lemire's number parsing (simdjson), in plain Go.
func (blk *block) digits() uint64 {
	return digitBits(blk[0:]) | digitBits(blk[8:])<<8 | digitBits(blk[16:])<<16 | digitBits(blk[24:])<<24 |
		digitBits(blk[32:])<<32 | digitBits(blk[40:])<<40 | digitBits(blk[48:])<<48 | digitBits(blk[56:])<<56
}

// digitBits returns a mask of the decimal digits among the first eight bytes
// of b, bit i for b[i].
func digitBits(b []byte) uint64 {
	// XOR maps the digits to the bytes 0-9; any other byte either has its
	// high bit set or becomes at least 10, and then adding 0x76 to its low
	// seven bits carries into the high bit, never into the next byte.
	t := binary.LittleEndian.Uint64(b) ^ 0x3030303030303030
	nonDigit := ((t&0x7f7f7f7f7f7f7f7f + 0x7676767676767676) | t) & 0x8080808080808080
	// Gather the eight high bits into the top byte: the multiplier moves
	// the bit of byte i to bit 56+i, with no two partial products colliding.
	return ((nonDigit ^ 0x8080808080808080) >> 7) * 0x0102040810204080 >> 56
}

// digitWord returns the k (1 to 8) decimal digits at the start of b, which
// must have at least eight bytes, as a digit word: the eight bytes read as a
// little-endian number and shifted so that the digits fill its top k bytes,
// the first lowest, and zeros the bytes below. The top byte is then the
// last digit, at least '0', so every digit word is at least 0x30<<56,
// above every value an array may hold.
func digitWord(b []byte, k int) uint64 {
	return binary.LittleEndian.Uint64(b) << ((64 - 8*uint(k)) & 63)
}

// isDigitWord reports whether x, an entry of a batch from uintArray, is a
// digit word (see digitWord) rather than a value.
func isDigitWord(x uint64) bool { return x >= 0x30<<56 }

// number returns the value of an entry of a batch from uintArray: a value
// as it is, a digit word converted. Batches carry digit words so that the
// conversion runs in the goroutine that stores the values, which has less
// to do than the scanner. The conversion is Lemire's
// parse_eight_digits_unrolled ("Quickly parsing eight digits", 2018): the
// zero bytes below the digits are leading zeros, and three multiplications
// add up pairs of digits, pairs of pairs and halves, each mask keeping the
// low four bits of every digit at first.
func number(x uint64) uint64 {
	if !isDigitWord(x) {
		return x
	}
	x = (x & 0x0f0f0f0f0f0f0f0f) * (1 + 10<<8) >> 8
	x = (x & 0x00ff00ff00ff00ff) * (1 + 100<<16) >> 16
	return (x & 0x0000ffff0000ffff) * (1 + 10000<<32) >> 32
}

// intArray reads a JSON array of integers that may be negative; it is used
// for the small sections (locations, samples, trace function infos). If fast
// is not nil, it is offered the rest of the chunk wherever a value starts,
// and returns how many bytes of whole values, each with the comma after it,
// it has taken (possibly none); intArray reads the rest.
func (s *scanner) intArray(consume func(int64) error, fast func([]byte) int) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if c, err := s.peek(); err != nil {
		return err
	} else if c == ']' {
		s.pos++
		return nil
	}
	for {
		if fast != nil {
			if n := fast(s.buf[s.pos:]); n > 0 {
				s.pos += n
				continue
			}
		}
		v, err := s.integer()
		if err != nil {
			return err
		}
		if err := consume(v); err != nil {
			return err
		}
		c, err := s.peek()
		if err != nil {
			return err
		}
		s.pos++
		switch c {
		case ',':
		case ']':
			return nil
		default:
			s.pos--
			return s.errorf("expected ',' or ']', found %s", quoteByte(c))
		}
	}
}

func (s *scanner) integer() (int64, error) {
	if _, err := s.peek(); err != nil {
		return 0, err
	}
	neg := false
	if s.buf[s.pos] == '-' {
		neg = true
		s.pos++
	}
	var v int64
	digits := 0
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			break
		}
		d := s.buf[s.pos] - '0'
		if d > 9 {
			break
		}
		if digits == 1 && v == 0 {
			return 0, s.errorf("number with a leading zero")
		}
		if v >= maxSafe/10 {
			return 0, s.errorf("number out of range")
		}
		v = v*10 + int64(d)
		digits++
		s.pos++
	}
	if digits == 0 {
		if s.pos < len(s.buf) {
			return 0, s.errorf("expected a number, found %s", quoteByte(s.buf[s.pos]))
		}
		return 0, s.truncated()
	}
	if s.pos < len(s.buf) {
		if c := s.buf[s.pos]; c == '.' || c == 'e' || c == 'E' {
			return 0, s.errorf("number is not an integer")
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}
