-- One validated setting for the current transaction only.
SET LOCAL {name} = {value}
