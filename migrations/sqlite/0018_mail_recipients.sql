-- Mails to one address in the last hour, counted before an invitation is sent again or sign-in
-- details are sent: an Administrator cannot flood someone's mailbox through Steward.
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient, created_at);
