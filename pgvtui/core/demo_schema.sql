-- The demo schema (pgvtui demo): tables only; data and indexes are added by pgvtui.core.demo.
DROP TABLE IF EXISTS articles, articles_load, saved_queries, news_archive, documents, images,
    products, reviews, chunks, pgvtui_demo_meta CASCADE;

CREATE UNLOGGED TABLE articles_load (
    id bigint, published text, source text, topic text, title text, body text, embedding text
);

CREATE TABLE articles (
    id           bigint PRIMARY KEY,
    published_at timestamptz NOT NULL,
    source       text NOT NULL,
    topic        text NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    embedding    halfvec(384)
);

CREATE TABLE saved_queries (
    id        int PRIMARY KEY,
    label     text NOT NULL,
    embedding halfvec(384) NOT NULL
);

CREATE TABLE news_archive (
    rowid     bigint PRIMARY KEY,
    title     text NOT NULL,
    embedding halfvec(384)
);

CREATE TABLE documents (
    id        bigint PRIMARY KEY,
    title     text NOT NULL,
    embedding vector(768) NOT NULL
);

CREATE TABLE images (
    id        bigint PRIMARY KEY,
    caption   text NOT NULL,
    embedding vector(512) NOT NULL
);

CREATE TABLE products (
    id        bigint PRIMARY KEY,
    name      text NOT NULL,
    category  text NOT NULL,
    in_stock  boolean NOT NULL,
    embedding vector(128) NOT NULL
);

CREATE TABLE reviews (
    id         bigint PRIMARY KEY,
    product_id bigint NOT NULL,
    body       text NOT NULL,
    embedding  vector(128) NOT NULL
);

CREATE TABLE chunks (
    id        bigint PRIMARY KEY,
    doc_id    bigint NOT NULL,
    content   text NOT NULL,
    embedding vector(256) NOT NULL
);
