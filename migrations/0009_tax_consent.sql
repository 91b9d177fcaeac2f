-- Taxes, invoices and EU digital-content consent (issue 15).

-- A Stripe tax code per product (txcd_…); NULL is the shop's default.
ALTER TABLE products ADD COLUMN tax_code TEXT;

-- The wording a buyer agrees to before paying: that delivery starts at once and that they
-- lose their 14-day right of withdrawal (Directive 2011/83/EU, art. 16(m)). Editing a
-- wording adds a version; the newest per language is the one shown, and every purchase
-- keeps the version its buyer agreed to.
CREATE TABLE consent_wordings (
    id         INTEGER PRIMARY KEY,
    lang       TEXT    NOT NULL CHECK (length(lang) BETWEEN 2 AND 8),
    text       TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    created_at INTEGER NOT NULL
);
CREATE INDEX consent_wordings_lang ON consent_wordings (lang, id);
INSERT INTO consent_wordings (lang, text, created_at) VALUES
  ('en', 'I agree that delivery of the digital content starts immediately after payment, and I acknowledge that I thereby lose my 14-day right of withdrawal.', 0),
  ('de', 'Ich stimme ausdrücklich zu, dass die Lieferung der digitalen Inhalte sofort nach der Zahlung beginnt, und nehme zur Kenntnis, dass ich dadurch mein 14-tägiges Widerrufsrecht verliere.', 0),
  ('fr', 'J''accepte expressément que la fourniture du contenu numérique commence immédiatement après le paiement et je reconnais perdre ainsi mon droit de rétractation de 14 jours.', 0);

ALTER TABLE purchases ADD COLUMN consent_wording_id INTEGER REFERENCES consent_wordings (id);
ALTER TABLE purchases ADD COLUMN consent_at INTEGER;
-- Stripe's hosted invoice, when the shop asks Stripe for invoices.
ALTER TABLE purchases ADD COLUMN invoice_url TEXT;
-- For the VAT return (booth export taxes): purchases by time and country.
CREATE INDEX purchases_created ON purchases (created_at);
