"""The ``tgt`` volume target: iSCSI exports through tgtd."""
