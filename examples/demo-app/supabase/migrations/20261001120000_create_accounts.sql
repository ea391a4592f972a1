CREATE TABLE public.accounts (id bigserial PRIMARY KEY, owner uuid NOT NULL, name text NOT NULL);
