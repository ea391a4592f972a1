CREATE TABLE public.accounts (id bigserial PRIMARY KEY, owner uuid NOT NULL, name text NOT NULL);
CREATE TABLE public.value_models (id bigserial PRIMARY KEY, account_id bigint REFERENCES public.accounts(id), payload jsonb);
CREATE TABLE public.notes (id bigserial PRIMARY KEY, body text);
CREATE TABLE public.strategies (id bigserial PRIMARY KEY, model_id bigint, plan jsonb);
