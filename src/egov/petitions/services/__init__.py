"""Services of the petitions module: every write goes through them (records is the shared base;
intake, workflow, mail, reception, slips… build on it). Other modules call these, never the
models."""
