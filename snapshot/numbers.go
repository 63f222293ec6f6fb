package snapshot

import (
	"bytes"
	"fmt"
	"sync"
)

// The nodes and edges sections, ~90 % of a snapshot, are arrays of
// non-negative integers. They are read by a small pipeline, so that both
// cores work on them:
//
//	scanner (this goroutine): cuts the input into pieces of ≤ pieceSize
//	    bytes that end just after a comma, and copies each piece;
//	tokenizers (two goroutines): turn the digits of a piece into numbers;
//	store (one goroutine): takes the pieces' numbers in input order, checks
//	    them and appends them to the columns.
//
// A piece always starts right after a comma (or the array's '['), so the
// tokenizers need no state from one another.

const (
	pieceSize  = 128 << 10
	tokenizers = 2
	inFlight   = 4 // pieces between the scanner and the store
)

// piecePool recycles pieces across the sections of one parse.
type piecePool struct {
	mu   sync.Mutex
	free []*piece
}

func (pp *piecePool) get() *piece {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if n := len(pp.free); n > 0 {
		pc := pp.free[n-1]
		pp.free = pp.free[:n-1]
		return pc
	}
	return &piece{done: make(chan struct{}, 1)}
}

func (pp *piecePool) put(pc *piece) {
	pp.mu.Lock()
	pp.free = append(pp.free, pc)
	pp.mu.Unlock()
}

// piece is one stretch of an array's input and, once tokenized, its numbers.
type piece struct {
	data  []byte
	off   int64 // input offset of data[0]
	first bool  // data starts right after '['
	last  bool  // data ends right before ']'
	vals  []uint64
	err   *Error
	done  chan struct{}
}

// numberArray reads a section that is an array of non-negative integers and
// hands its numbers, in order and in batches, to store. fail(k, …) builds an
// error at the input offset of vals[k].
func (p *parser) numberArray(store func(vals []uint64, fail func(k int, format string, args ...any) error) error) error {
	s := p.s
	section := s.section
	if err := s.expect('['); err != nil {
		return err
	}

	pool := &p.pieces
	work := make(chan *piece, inFlight)
	ordered := make(chan *piece, inFlight)
	var wg sync.WaitGroup
	for range tokenizers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pc := range work {
				pc.vals, pc.err = tokenize(pc, section)
				pc.done <- struct{}{}
			}
		}()
	}
	var storeErr error
	stop := make(chan struct{})
	stored := make(chan struct{})
	go func() {
		defer close(stored)
		for pc := range ordered {
			<-pc.done
			if storeErr == nil {
				if pc.err != nil {
					storeErr = pc.err
				} else if len(pc.vals) > 0 {
					fail := func(k int, format string, args ...any) error {
						return &Error{Section: section, Offset: pc.off + int64(numberStart(pc.data, k)), Msg: fmt.Sprintf(format, args...)}
					}
					storeErr = store(pc.vals, fail)
				}
				if storeErr != nil {
					close(stop)
				}
			}
			pool.put(pc)
		}
	}()

	err := p.cutPieces(func(pc *piece) bool {
		select {
		case ordered <- pc:
		case <-stop:
			return false
		}
		work <- pc
		return true
	}, pool)
	close(ordered)
	close(work)
	wg.Wait()
	<-stored
	if storeErr != nil {
		return storeErr
	}
	return err
}

// cutPieces hands the array's input to submit in pieces, up to and
// including the closing ']', which it consumes. submit returns false to stop.
func (p *parser) cutPieces(submit func(*piece) bool, pool *piecePool) error {
	s := p.s
	var pending []byte // input after the last comma, not yet handed on
	pendingOff := s.offset()
	first := true
	newPiece := func(n int) *piece {
		pc := pool.get()
		if cap(pc.data) < n {
			pc.data = make([]byte, 0, n)
		}
		pc.data, pc.first, pc.last, pc.err = pc.data[:0], first, false, nil
		first = false
		return pc
	}
	for {
		if s.pos >= len(s.buf) && !s.fill() {
			s.pos = len(s.buf)
			return s.truncated()
		}
		rest := s.buf[s.pos:]
		end := bytes.IndexByte(rest, ']')
		if end >= 0 {
			rest = rest[:end]
		}
		// Hand on whole pieces that end after a comma.
		for len(pending)+len(rest) > pieceSize || (end >= 0 && len(rest) > 0) {
			budget := max(pieceSize-len(pending), 0)
			limit := min(len(rest), budget)
			cut := bytes.LastIndexByte(rest[:limit], ',') + 1
			if cut == 0 {
				if end >= 0 {
					break // the rest goes with the final piece
				}
				if limit < len(rest) {
					// No comma within the budget: a long run without one.
					// Take up to the next comma, however far.
					if c := bytes.IndexByte(rest[limit:], ','); c >= 0 {
						cut = limit + c + 1
					}
				}
				if cut == 0 {
					break
				}
			}
			pc := newPiece(len(pending) + cut)
			pc.off = pendingOff
			pc.data = append(append(pc.data, pending...), rest[:cut]...)
			pending = pending[:0]
			s.pos += cut
			pendingOff = s.offset()
			rest = rest[cut:]
			if !submit(pc) {
				return nil
			}
		}
		if end >= 0 {
			pc := newPiece(len(pending) + len(rest))
			pc.off = pendingOff
			pc.data = append(append(pc.data, pending...), rest...)
			pc.last = true
			s.pos += len(rest) + 1 // and the ']'
			submit(pc)
			return nil
		}
		if len(pending) == 0 {
			pendingOff = s.offset()
		}
		pending = append(pending, rest...)
		s.pos = len(s.buf)
	}
}

// numberStart returns the offset in data of the k-th number (0-based); data
// has been tokenized without error.
func numberStart(data []byte, k int) int {
	i := 0
	for ; k > 0 && i < len(data); i++ {
		if data[i] == ',' {
			k--
		}
	}
	for i < len(data) && (data[i] < '0' || data[i] > '9') {
		i++
	}
	return i
}

// tokenize turns a piece's digits into numbers. A piece starts after a comma
// or '['; unless it is the last one it ends right after a comma.
func tokenize(pc *piece, section string) ([]uint64, *Error) {
	const (
		wantValue = iota
		inNumber
		afterNumber
	)
	vals := pc.vals[:0]
	if want := len(pc.data) / 3; cap(vals) < want {
		vals = make([]uint64, 0, want)
	}
	fail := func(i int, format string, args ...any) ([]uint64, *Error) {
		return vals, &Error{Section: section, Offset: pc.off + int64(i), Msg: fmt.Sprintf(format, args...)}
	}
	state := wantValue
	var v uint64
	data := pc.data
	for i := 0; i < len(data); i++ {
		c := data[i]
		if d := c - '0'; d <= 9 {
			if state == afterNumber {
				return fail(i, "missing comma between numbers")
			}
			if v >= maxSafe/10 {
				return fail(i, "number out of range")
			}
			v = v*10 + uint64(d)
			state = inNumber
			continue
		}
		switch c {
		case ',':
			if state == wantValue {
				return fail(i, "expected a number, found ','")
			}
			vals = append(vals, v)
			v, state = 0, wantValue
		case ' ', '\n', '\r', '\t':
			if state == inNumber {
				state = afterNumber
			}
		default:
			if c == '-' || c == '.' || c == 'e' || c == 'E' {
				return fail(i, "number is not a non-negative integer")
			}
			return fail(i, "unexpected %s in number array", quoteByte(c))
		}
	}
	if pc.last {
		switch {
		case state != wantValue:
			vals = append(vals, v)
		case !(pc.first && len(vals) == 0):
			return fail(len(data), "expected a number, found ']'")
		}
	} else if state != wantValue {
		return fail(len(data), "internal error: piece cut inside a number")
	}
	return vals, nil
}
