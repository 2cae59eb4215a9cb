"""HTTP layer: one blueprint per area of use. Views stay thin."""
