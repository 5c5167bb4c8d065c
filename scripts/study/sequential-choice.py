"""One-off study behind the choice of the sequential drift detector (docs/drift.md).

Exact k-NN (cosine, k = 10) of the demo embeddings against data/demo/train.jsonl, calibrated
on data/demo/eval-clean.jsonl; every detector's threshold from an exact Markov chain at the
same in-distribution ARL (1e5); delays on the phone-like photos (70% OOD) and on a mix with
40% OOD; then the spread of the in-distribution ARL over calibration draws.

Needs numpy and scipy (python3 -m pip is not reachable here: Debian's python3-numpy/-scipy).
Run from the repository root: python3 scripts/study/sequential-choice.py  (about 6 minutes)
"""
import json, base64, numpy as np, hashlib
def load(f):
    out=[]
    for line in open('data/demo/'+f):
        r=json.loads(line); v=np.frombuffer(base64.b64decode(r['embeddingQ8']),dtype=np.int8).astype(float)/127; v/=np.linalg.norm(v); out.append((r['id'],v))
    return out
train=load('train.jsonl'); evc=load('eval-clean.jsonl'); pc=load('prod-clean.jsonl'); pu=load('prod-ugc.jsonl')
T=np.array([v for _,v in train]); 
def knn(X, ref, k=10):
    d=1-X@ref.T
    d.sort(axis=1); return d[:,:k].mean(axis=1)
cal=knn(np.array([v for _,v in evc]),T)
cal.sort()
def pct(X): d=knn(np.array([v for _,v in X]),T); return np.searchsorted(cal,d,side='left')/len(cal)
sc=pct(pc); su=pct(pu)

print('n cal',len(cal))
print('clean ood rate', (sc>=0.95).mean(), 'ugc ood rate', (su>=0.95).mean())
print('ugc pct quantiles', np.quantile(su,[0.1,0.25,0.5,0.75,0.9]), 'share at 1.0', (su>=1).mean(), '>=0.99',(su>=0.99).mean())
print('clean share>=0.99',(sc>=0.99).mean(), '>=1', (sc>=1).mean())

rng=np.random.default_rng(1)
n=len(cal); q=0.95
# conformal p from percentile s: p=(n - s*n + 1)/(n+1) roughly (share of cal >= d, plus one)
def pval(s): return (n - np.round(s*n) + 1)/(n+1)
null_p = (np.arange(n+1)+1)/(n+1)  # uniform discrete p-values under exchangeability
def arl_chain(incr_vals, incr_probs, h, grid=0.02):
    # CUSUM S=max(0,S+z); states discretized to grid, alarm when S>=h
    H=int(np.ceil(h/grid)); steps=np.round(incr_vals/grid).astype(int)
    Q=np.zeros((H,H))
    for i in range(H):
        for s,pr in zip(steps,incr_probs):
            j=max(0,i+s)
            if j<H: Q[i,j]+=pr
    L=np.linalg.solve(np.eye(H)-Q,np.ones(H)); return L[0]
def find_h(incr_vals, incr_probs, target, grid=0.02):
    lo,hi=0.5,30
    for _ in range(25):
        mid=(lo+hi)/2
        if arl_chain(incr_vals,incr_probs,mid,grid)<target: lo=mid
        else: hi=mid
    return hi
def delays(zfun, h, stream, reps=2000, length=400):
    out=[]
    for _ in range(reps):
        x=rng.choice(stream,size=length); z=zfun(x); S=0
        d=length
        for t,v in enumerate(z):
            S=max(0,S+v)
            if S>=h: d=t+1; break
        out.append(d)
    return np.median(out), np.mean(out)
# alt streams
ugc=su
mix40 = None
# ~40% OOD: mix clean and ugc
frac=(0.4-0.03)/(0.701-0.03)
def mixstream(m=200000):
    pick=rng.random(m)<frac
    return np.where(pick, rng.choice(su,m), rng.choice(sc,m))
m40=mixstream()
print('mix OOD rate', (m40>=q).mean())
target=1e5
p0=(n-np.ceil(q*n)+1)/(n+1)
# A: Bernoulli CUSUM p0->0.4
for p1 in [0.25,0.4,0.6]:
    up=np.log(p1/p0); dn=np.log((1-p1)/(1-p0))
    vals=np.array([up,dn]); probs=np.array([p0,1-p0])
    h=find_h(vals,probs,target)
    z=lambda s: np.where(s>=q, up, dn)
    print(f'Bernoulli p1={p1}: h={h:.2f}  delay ugc70 med/mean', delays(z,h,su), ' mix40', delays(z,h,m40))
# B: CUSUM on -log p - k (power calibrator with eps: log eps + (1-eps)(-log p))
for eps in [0.05, 0.1, 0.2, 0.35]:
    f=lambda p: np.log(eps)+(1-eps)*(-np.log(p))
    vals=f(null_p); probs=np.full(n+1,1/(n+1))
    h=find_h(vals,probs,target,grid=0.02)
    z=lambda s: f(pval(s))
    print(f'power eps={eps}: h={h:.2f} delay ugc70', delays(z,h,su), ' mix40', delays(z,h,m40))

# Spread of the in-distribution ARL over calibration draws (Bernoulli vs power calibrator).
rng=np.random.default_rng(2); n=1050; target=1e5
def arl(steps, probs, H):
    Q=np.zeros((H,H))
    for s,pr in zip(steps,probs):
        i=np.arange(H); j=np.maximum(0,i+s); ok=j<H
        np.add.at(Q,(i[ok],j[ok]),pr)
    return np.linalg.solve(np.eye(H)-Q,np.ones(H))[0]
def findH(steps,probs):
    lo,hi=1,3000
    while lo<hi:
        mid=(lo+hi)//2
        if arl(steps,probs,mid)<target: lo=mid+1
        else: hi=mid
    return lo
r=n-int(np.ceil(q*n))+1; p0=r/(n+1)
# Bernoulli integer: b=8, a=round(8*ratio)
p1=0.4; ratio=np.log(p1/p0)/np.log((1-p0)/(1-p1)); b=8; a=int(round(b*ratio))
H=findH([a,-b],[p0,1-p0]); print('bern a,b,H',a,b,H, 'arl', arl([a,-b],[p0,1-p0],H))
res=[]
for _ in range(300):
    pi=rng.beta(r,n+1-r); res.append(arl([a,-b],[pi,1-pi],H))
res=np.array(res); print('bernoulli conditional ARL0 quantiles 10/50/90%', np.quantile(res,[0.1,0.5,0.9]).round(), 'share < arl0/2', (res<target/2).mean())
# power eps=0.2 on grid
eps=0.2; grid=0.05
pv=(np.arange(n+1)+1)/(n+1); z=np.log(eps)+(1-eps)*(-np.log(pv)); steps=np.round(z/grid).astype(int)
# merge equal steps
us,inv=np.unique(steps,return_inverse=True)
probs0=np.bincount(inv,minlength=len(us))/(n+1)
Hp=findH(us,probs0); print('power H',Hp*grid,'arl',arl(us,probs0,Hp))
res=[]
for _ in range(300):
    w=rng.dirichlet(np.ones(n+1)); pr=np.bincount(inv,weights=w,minlength=len(us)); res.append(arl(us,pr,Hp))
res=np.array(res); print('power conditional ARL0 quantiles 10/50/90%', np.quantile(res,[0.1,0.5,0.9]).round(), 'share < arl0/2', (res<target/2).mean())
