package snapshot

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Strings is the snapshot's string table, all strings in one arena.
//
// V8 writes every non-ASCII UTF-16 code unit as a \uXXXX escape, so the file
// can hold lone surrogates (V8 keeps only the low 16 bits of a code point).
// The arena stores the strings as WTF-8: valid surrogate pairs become normal
// 4-byte UTF-8, and a lone surrogate becomes its 3-byte generalized UTF-8
// form, so the JavaScript string is kept losslessly. Use Display to print
// them safely.
type Strings struct {
	data []byte
	off  []uint64 // len = count+1
}

// Len returns the number of strings.
func (t *Strings) Len() int {
	if len(t.off) == 0 {
		return 0
	}
	return len(t.off) - 1
}

// At returns string i. The result aliases the arena; it stays valid as long
// as the snapshot does.
func (t *Strings) At(i StringID) string {
	a, b := t.off[i], t.off[i+1]
	if a == b {
		return ""
	}
	return unsafe.String(&t.data[a], int(b-a))
}

// Bytes returns string i as a byte slice aliasing the arena; do not modify it.
func (t *Strings) Bytes(i StringID) []byte { return t.data[t.off[i]:t.off[i+1]:t.off[i+1]] }

// Display returns s with each lone surrogate (a WTF-8 sequence ED A0..BF
// xx) replaced by one U+FFFD, as JavaScript's TextEncoder does, and each
// run of other invalid UTF-8 by one U+FFFD, so that it can be printed. Text
// and JSON output print names through it, so both show the same.
func Display(s string) string {
	if isValidUTF8NoSurrogates(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if isSurrogate(s[i:]) {
			b.WriteString("\uFFFD")
			i += 3
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			j := i + 1
			for j < len(s) && !isSurrogate(s[j:]) {
				if r, n := utf8.DecodeRuneInString(s[j:]); r != utf8.RuneError || n > 1 {
					break
				}
				j++
			}
			b.WriteString("\uFFFD")
			i = j
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// isSurrogate reports whether s starts with a lone surrogate in WTF-8.
func isSurrogate(s string) bool {
	return len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF
}

// EscapeInvalid returns s with every byte that is not part of valid UTF-8
// (the three bytes of a lone surrogate included) written as \xNN, for
// identifiers such as class keys: unlike Display, which makes every lone
// surrogate one U+FFFD, it keeps different strings different once they are
// printed or encoded as JSON (which would make each byte a U+FFFD).
func EscapeInvalid(s string) string {
	if isValidUTF8NoSurrogates(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, "\\x%02X", s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

func isValidUTF8NoSurrogates(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return utf8.ValidString(s[i:])
		}
	}
	return true
}

// appendWTF8 appends the code unit or code point r in WTF-8.
func appendWTF8(b []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	default:
		return append(b, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
}

// UTF16Len returns the length of the WTF-8 string s in UTF-16 code units, as
// JavaScript's String.prototype.length counts it.
func UTF16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < 0x80:
			i++
			n++
		case c < 0xE0:
			i += 2
			n++
		case c < 0xF0:
			i += 3
			n++
		default:
			i += 4
			n += 2
		}
	}
	return n
}
