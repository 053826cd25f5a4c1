package storetest_test

import (
	"os"
	"testing"

	"github.com/secex/wizard/store/pgtest"
)

// TestMain stops the test PostgreSQL server, if a test started one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
