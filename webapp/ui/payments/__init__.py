"""Finance's payments: the approved claims waiting for payment, and the ledger with its totals
and bank file (DoPT may view)."""
