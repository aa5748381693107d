-- rows.sql: 50 000 rows inserted, indexed and queried in memory (bench/real.sh, guard_real.sh).
create table t(id integer primary key, name text, score real);
with recursive c(x) as (select 1 union all select x+1 from c where x < 50000)
insert into t(name, score) select 'name' || x, x * 1.5 from c;
create index t_score on t(score);
select count(*), sum(score), max(name) from t where score > 100;
