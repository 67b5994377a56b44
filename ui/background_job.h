#pragma once
// The two halves every piece of background work in the GUI is made of (the
// corpus load, the pipeline run, the threshold sweep): a worker that runs one
// job at a time on its own thread and reports back with queued signals, and
// the GUI thread's handle on it, which starts jobs, carries Cancel to them and
// forwards the worker's signals. The GUI thread never waits on a job and
// never calls core (or, through it, libtorch) itself.
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>

#include "distill/error.h"

namespace distill::ui {

class BackgroundWorker : public QObject {
    Q_OBJECT
public:
    // `cancelRequested` belongs to the handle and is set from the GUI thread
    // while a job runs, hence atomic.
    explicit BackgroundWorker(const std::atomic_bool& cancelRequested) : cancelRequested_(cancelRequested) {}

signals:
    // `message` is core's one-line "file:line: problem; fix".
    void failed(const QString& message);
    void cancelled();

protected:
    const std::atomic_bool& cancelRequested() const { return cancelRequested_; }

    // Runs `job`, which ends by emitting the worker's own result signal;
    // core's Cancelled becomes cancelled() and any other exception failed(),
    // so every job ends with exactly one of the three.
    template <class Job>
    void runGuarded(Job&& job) {
        try {
            job();
        } catch (const Cancelled&) {
            emit cancelled();
        } catch (const std::exception& e) {
            // distill::Error carries file, line and fix; anything else
            // (bad_alloc on a huge corpus) is still shown rather than
            // killing the app.
            emit failed(QString::fromStdString(e.what()));
        }
    }

private:
    const std::atomic_bool& cancelRequested_;
};

class BackgroundJob : public QObject {
    Q_OBJECT
public:
    // Cancels a running job and waits for its worker to stop.
    ~BackgroundJob() override;

    bool isRunning() const { return running_; }
    // Asks the running job to stop; it ends with cancelled() shortly after
    // (or with its result when it was already done).
    void cancel();

signals:
    void failed(const QString& message);
    void cancelled();

protected:
    BackgroundJob(const char* threadName, QObject* parent);

    // The flag a worker is made with.
    const std::atomic_bool& cancelFlag() const { return cancelRequested_; }
    // Takes the handle's one worker onto the thread and forwards its
    // failed() and cancelled(); returns it for connecting its other signals.
    template <class Worker>
    Worker* adopt(std::unique_ptr<Worker> worker) {
        Worker* raw = worker.get();
        adoptWorker(std::move(worker));
        return raw;
    }
    // Runs `job` on the worker's thread; ignored while a job is running.
    void post(std::function<void()> job);
    // To be called, queued on the GUI thread, before the worker's result is
    // forwarded: the handle is idle again before anyone hears the result, so
    // a slot may start the next job right away.
    void jobEnded() { running_ = false; }

private:
    void adoptWorker(std::unique_ptr<BackgroundWorker> worker);

    QThread thread_;
    std::atomic_bool cancelRequested_{false};
    std::unique_ptr<BackgroundWorker> worker_;  // destroyed before the thread
    bool running_ = false;
};

}  // namespace distill::ui
