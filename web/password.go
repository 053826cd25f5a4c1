package web

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password hashing follows OWASP's Password Storage Cheat Sheet: argon2id
// with 19 MiB of memory, two passes and one thread. The parameters are
// stored with each hash, so they can be raised later without locking
// anyone out.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// Password length limits: long enough to rule out guessable passwords, and
// bounded so a huge submitted password cannot tie up the hasher.
const (
	minPasswordLen = 12
	maxPasswordLen = 128
)

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// checkPassword reports whether pw matches the encoded hash.
func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is compared against when a user name does not exist, so a
// failed sign-in takes as long whether or not the name is known.
var dummyHash = sync.OnceValue(func() string { return hashPassword("not a real password, only for timing") })

//go:embed common-passwords.txt
var commonPasswordList []byte

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordList))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
})

// passwordProblem says what is wrong with a new password, or "" when it
// is acceptable.
func passwordProblem(pw, user string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n == 0:
		return errors.New("Enter a password")
	case n < minPasswordLen:
		return fmt.Errorf("Password must be %d characters or more; a short phrase of several words is easy to remember", minPasswordLen)
	case n > maxPasswordLen:
		return fmt.Errorf("Password must be %d characters or less", maxPasswordLen)
	}
	lower := strings.ToLower(pw)
	if commonPasswords()[lower] {
		return errors.New("This password is on a list of commonly used passwords; choose one that others are unlikely to use")
	}
	if user != "" && strings.Contains(lower, strings.ToLower(user)) {
		return errors.New("Password must not contain your user name")
	}
	if strings.Count(pw, pw[:1]) == len(pw) {
		return errors.New("Password must not be one character repeated")
	}
	return nil
}
