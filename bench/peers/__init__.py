"""The handlers a cold start is compared with, each in a folder of its own as a function's code is.

Both read the course the measured `GET /courses/{course_id}` reads, with one GetItem of the key
the benchmark hands them (`PEER_PK`, `PEER_SK`), and answer it as JSON: what the least a Python
team would write does (`bare_boto3`), and what a Python team would pick (`fastapi_mangum`).
"""
