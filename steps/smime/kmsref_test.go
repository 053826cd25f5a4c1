package smime_test

import (
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/kms"
	"github.com/secex/wizard/steps/smime"
)

// TestKMSReferences checks the names this procedure uses to read the Key
// Management Service procedure's answers. That procedure imports this one,
// so the names cannot be imported from it and are checked here instead.
func TestKMSReferences(t *testing.T) {
	r := smime.KMSReferences
	if r.StepID != kms.Step.ID {
		t.Errorf("KMS step ID %q, want %q", r.StepID, kms.Step.ID)
	}
	for id, kind := range map[string]steps.Kind{r.Use: steps.KindYesNo, r.CA: steps.KindServer, r.CAThirdParty: steps.KindYesNo} {
		q, ok := kms.Step.Question(id)
		if !ok {
			t.Errorf("the KMS procedure has no question %q", id)
			continue
		}
		if q.Kind != kind {
			t.Errorf("KMS question %q has kind %d, want %d", id, q.Kind, kind)
		}
	}
}
