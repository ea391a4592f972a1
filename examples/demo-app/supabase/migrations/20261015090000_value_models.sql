CREATE TABLE public.value_models (id bigserial PRIMARY KEY, account_id bigint REFERENCES public.accounts(id), payload jsonb);
