package ui

import "context"

type pagePathKey struct{}

// WithPagePath returns ctx carrying the address of the page being
// rendered (path and query). Every form then says which page it was sent
// from, so a form that cannot be accepted as sent can be shown again on
// that page.
func WithPagePath(ctx context.Context, page string) context.Context {
	return context.WithValue(ctx, pagePathKey{}, page)
}

// pagePath is the address WithPagePath put in ctx, or "".
func pagePath(ctx context.Context) string {
	p, _ := ctx.Value(pagePathKey{}).(string)
	return p
}
