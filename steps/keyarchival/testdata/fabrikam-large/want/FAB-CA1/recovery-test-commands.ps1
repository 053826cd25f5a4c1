certutil -getkey 'FABRIKAM\kra.probe' 'C:\KeyRecoveryTest\recovery-test.blob'
certutil -recoverkey 'C:\KeyRecoveryTest\recovery-test.blob' 'C:\KeyRecoveryTest\recovery-test.pfx'
certutil -dump 'C:\KeyRecoveryTest\recovery-test.pfx'
