package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// The store's SQL is written once, in the common ground of SQLite and
// PostgreSQL: lower() instead of COLLATE NOCASE, IS NOT DISTINCT FROM
// instead of IS with a parameter, flags compared with 1, upserts whose SET
// names the table. What is left of the difference is the form of a
// parameter, ? in SQLite and $1, $2, … in PostgreSQL, and how a Go bool is
// sent for an INTEGER flag; db and conn hide both, so every method of
// Store runs the same statement on either engine.

// db is a connection pool that speaks the store's dialect.
type db struct {
	*sql.DB
	pg bool
}

// conn is a transaction that speaks the store's dialect.
type conn struct {
	*sql.Tx
	pg bool
}

func (d *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, bind(d.pg, query), bindArgs(d.pg, args)...)
}

func (d *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, bind(d.pg, query), bindArgs(d.pg, args)...)
}

func (d *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, bind(d.pg, query), bindArgs(d.pg, args)...)
}

func (c *conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.Tx.ExecContext(ctx, bind(c.pg, query), bindArgs(c.pg, args)...)
}

func (c *conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.Tx.QueryContext(ctx, bind(c.pg, query), bindArgs(c.pg, args)...)
}

func (c *conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.Tx.QueryRowContext(ctx, bind(c.pg, query), bindArgs(c.pg, args)...)
}

// bound caches the PostgreSQL form of each statement. The store's
// statements are constants, so the cache stays as small as the source.
var bound sync.Map // string → string

// bind returns query with its ? parameters numbered for PostgreSQL, or
// query itself for SQLite. A ? inside a quoted string, a quoted name or a
// comment is left alone.
func bind(pg bool, query string) string {
	if !pg || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := bound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch c {
		case '\'', '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				j = len(query) - i - 1
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
			continue
		case '-':
			if strings.HasPrefix(query[i:], "--") {
				j := strings.IndexByte(query[i:], '\n')
				if j < 0 {
					j = len(query) - i
				}
				b.WriteString(query[i : i+j])
				i += j - 1
				continue
			}
		case '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	q := b.String()
	bound.Store(query, q)
	return q
}

// bindArgs turns bools into 0 and 1 for PostgreSQL, whose flag columns are
// INTEGER as in SQLite: pgx would refuse to send a bool as an integer.
func bindArgs(pg bool, args []any) []any {
	if !pg {
		return args
	}
	var out []any
	for i, a := range args {
		v, ok := a.(bool)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...) // the caller's slice is left alone
		}
		out[i] = 0
		if v {
			out[i] = 1
		}
	}
	if out == nil {
		return args
	}
	return out
}
