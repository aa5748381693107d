# words.py: a word count into sqlite3 and 300 000 string conversions (bench/real.sh, guard_real.sh).
import json, re, collections, sqlite3
words = collections.Counter(re.findall(r"\w+", "the quick brown fox jumps over the lazy dog " * 2000))
db = sqlite3.connect(":memory:")
db.execute("create table w(word text, n int)")
db.executemany("insert into w values (?, ?)", words.items())
print(json.dumps(db.execute("select word, n from w order by n desc limit 3").fetchall()))
print(sum(len(str(i)) for i in range(300000)), len({str(i): i for i in range(100000)}))
