//! Same scenario and seed give byte-identical files; another seed changes the offers.
