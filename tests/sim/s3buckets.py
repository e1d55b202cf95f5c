"""S3 ListBuckets: each bucket's BucketRegion, as AWS gives it.

AWS (S3 API Reference, ListBuckets): "BucketRegion ... is included in the response if the request
contains at least one valid parameter" (max-buckets, continuation-token, prefix, bucket-region).
moto filters by those parameters but never writes BucketRegion; this adds it after moto answered,
from the bucket's own region in moto's backend."""

import re

from moto.s3.models import s3_backends

PARAMS = ("max-buckets", "continuation-token", "prefix", "bucket-region")


def add_regions(req, resp):
    """resp (moto's 200 answer to ListBuckets) with <BucketRegion> in each <Bucket>."""
    if resp.status != 200 or not any(p in req.query for p in PARAMS):
        return resp

    def region_of(m):
        name = m.group(2).decode()
        ent = s3_backends.bucket_accounts.get(name)
        b = s3_backends[ent[1]][ent[0]].buckets.get(name) if ent else None
        if b is None or b"<BucketRegion>" in m.group(0):
            return m.group(0)
        return m.group(1) + f"<BucketRegion>{b.region_name}</BucketRegion>".encode() + m.group(3)

    resp.body = re.sub(rb"(<Bucket>\s*<Name>([^<]+)</Name>.*?)(</Bucket>)", region_of, resp.body, flags=re.S)
    for i, (k, v) in enumerate(resp.headers):
        if k.lower() == "content-length":
            resp.headers[i] = (k, str(len(resp.body)))
    return resp
