package storetest_test

import (
	"context"
	"testing"

	"github.com/secex/wizard/store"
	"github.com/secex/wizard/store/storetest"
)

func TestOpen(t *testing.T) {
	st := storetest.Open(t)
	u := storetest.MustUser(t, st, "alice")
	p := storetest.MustProject(t, st, u, "Contoso")
	role, err := st.MemberRole(context.Background(), p.ID, u.ID)
	if err != nil || role != store.RoleOwner {
		t.Fatalf("MemberRole = %v, %v; want owner", role, err)
	}
}
