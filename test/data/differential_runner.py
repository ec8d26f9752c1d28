# CPython's half of test/differential.test.mjs: reads {"cases": [...]} (the
# corpus's cases that the test cleared) on stdin, calls each case on Python's
# socket module, and prints one JSON document: {"python": version,
# "results": [...]}, a result per case in the encoding the corpus describes.
import json
import socket
import sys


def decode(v):
    if isinstance(v, list):
        return tuple(decode(x) for x in v)
    if isinstance(v, dict):
        if 'bytes' in v:
            return bytes.fromhex(v['bytes'])
        if 'int' in v:
            return int(v['int'])
        if 'float' in v:
            return float(v['float'])
        raise ValueError('unknown encoded value %r' % (v,))
    return v


def encode(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, (bytes, bytearray)):
        return {'bytes': bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    return {'unencodable': repr(v)}


def classify(e):
    if isinstance(e, socket.gaierror):
        return 'gaierror'
    if isinstance(e, socket.herror):
        return 'herror'
    if isinstance(e, OSError):
        return type(e).__name__
    if isinstance(e, OverflowError):
        return 'OverflowError'
    if isinstance(e, ValueError):
        return 'ValueError'
    if isinstance(e, TypeError):
        return 'TypeError'
    return 'Unexpected:%s' % type(e).__name__


def run(case):
    try:
        if 'attr' in case:
            value = getattr(socket, case['attr'])
        else:
            value = getattr(socket, case['fn'])(*[decode(a) for a in case.get('args', [])])
        return {'ok': encode(value)}
    except Exception as e:  # noqa: BLE001 - every exception is a result here
        errno = getattr(e, 'errno', None) if isinstance(e, OSError) else None
        return {'error': classify(e), 'errno': errno, 'message': str(e)}


def main():
    corpus = json.load(sys.stdin)
    results = [run(case) for case in corpus['cases']]
    json.dump({'python': sys.version.split()[0], 'results': results}, sys.stdout)


main()
