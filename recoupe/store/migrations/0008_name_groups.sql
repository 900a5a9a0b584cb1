-- recoupe store, schema version 8: name_keys.surname holds the group a key is joined
-- within, for every type: a person's last word as before, and for other names their
-- initials ("^osdh" for both "OSDH" and "Observatoire syrien des droits de l'homme").
-- Filled from the keys by the store on migration; every key is counted again.
UPDATE name_keys SET stale = 1;
